import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Health, InFlightTransfer, Live, LiveInstance, Transfers } from '../../sidecar/contract/index.js';
import { expectCleanPage, type WatchedPage } from '../helpers/browser.js';
import { waitFor } from '../helpers/ports.js';
import { EVIL_NAME, sampleData } from '../helpers/sampleOutput.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { repoRoot } from '../helpers/sidecarProcess.js';
import { SitePage } from '../helpers/sitePage.js';

const EVIL = '<img src=x onerror=alert(1)>.mkv';
const FILM = 'Movies/Big.Film.2023.2160p.mkv';
const RATE_LIMIT = 'googleapi: Error 403: User rate limit exceeded., userRateLimitExceeded';
const IDLE_WORDS = 'rclone is not running — cloudplow starts it only during uploads.';
const MiB = 1024 * 1024;
const ZONE = 'Asia/Kolkata';

const site = new SitePage();
let view: WatchedPage;
const started = Date.now();
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

function health(out: string): Health {
  const base = { since: iso(60_000), lastOkAt: iso(1000), lastCheckedAt: iso(500), latencyMs: 4, lastError: null, hint: null };
  return {
    schemaVersion: 1,
    generatedAt: iso(0),
    state: 'degraded',
    sidecar: { version: '0.1.0', startedAt: new Date(started).toISOString() },
    sources: [
      { ...base, id: 'rclone:default', kind: 'rclone', name: 'default', target: 'http://127.0.0.1:7949', state: 'ok', version: 'v1.68.2' },
      { ...base, id: 'rclone:backup', kind: 'rclone', name: 'backup', target: 'http://127.0.0.1:7950', state: 'idle', lastOkAt: null, latencyMs: null, hint: 'Nothing listens on port 7950: normal between uploads.' },
      {
        ...base,
        id: 'rclone:nas',
        kind: 'rclone',
        name: 'nas',
        target: 'http://nas.lan:5572',
        state: 'auth_failed',
        lastOkAt: null,
        lastError: { at: iso(2000), message: 'HTTP 401 Unauthorized' },
        hint: 'Set PLOWBOARD_RCLONE_USER and PLOWBOARD_RCLONE_PASS to the --rc-user and --rc-pass rclone runs with.',
      },
      { ...base, id: 'cloudplow-config:config', kind: 'cloudplow-config', name: 'cloudplow config', target: '(none found)', state: 'missing', lastOkAt: null, hint: 'Point plowboard at cloudplow with --cloudplow-config.' },
      { ...base, id: 'output:data', kind: 'output', name: 'output folder', target: out, state: 'ok' },
    ],
  };
}

function inFlight(name: string, size: number, percentage: number, speed: number): InFlightTransfer {
  const bytes = Math.round((size * percentage) / 100);
  return { instance: 'default', name, size, bytes, percentage, speed, speedAvg: speed, eta: (size - bytes) / speed, group: 'job/1' };
}

function live(filmPercent: number, speedMiB: number): Live {
  const transferring = [inFlight(FILM, 8000 * MiB, filmPercent, (speedMiB - 20) * MiB), inFlight(EVIL, 700 * MiB, 10, 20 * MiB)];
  const counters = {
    speed: speedMiB * MiB,
    bytes: transferring.reduce((s, t) => s + t.bytes, 0),
    totalBytes: 8700 * MiB,
    eta: 120,
    transfers: 3,
    totalTransfers: 5,
    checks: 5,
    totalChecks: 5,
    errors: 1,
    inFlight: transferring.length,
    queued: 0,
    queuedExact: true,
    moved: 3,
    removedFromSource: 3,
  };
  const idle: LiveInstance = {
    ...counters,
    name: 'backup',
    state: 'idle',
    lastSeenAt: null,
    phase: 'idle',
    speed: 0,
    bytes: 0,
    totalBytes: 0,
    eta: null,
    transfers: 0,
    totalTransfers: 0,
    checks: 0,
    totalChecks: 0,
    errors: 0,
    inFlight: 0,
    speedAvg: 0,
    lastError: null,
    fatalError: false,
    retryError: false,
    transferring: [],
    checking: [],
  };
  const now = Date.now();
  const points = [
    // Older than the window: its value is where the line opens.
    { t: new Date(now - 900_000).toISOString(), instance: 'default', bytesPerSecond: 10 * MiB },
    { t: new Date(now - 400_000).toISOString(), instance: 'default', bytesPerSecond: 60 * MiB },
    { t: new Date(now - 120_000).toISOString(), instance: 'default', bytesPerSecond: 85 * MiB },
    { t: new Date(now - 5_000).toISOString(), instance: 'default', bytesPerSecond: speedMiB * MiB },
    { t: new Date(now - 600_000).toISOString(), instance: 'backup', bytesPerSecond: 0 },
  ];
  return {
    schemaVersion: 1,
    generatedAt: iso(0),
    total: { ...counters, activeInstances: 1 },
    instances: [{ ...counters, name: 'default', state: 'ok', lastSeenAt: iso(0), phase: 'transferring', speedAvg: 80 * MiB, lastError: RATE_LIMIT, fatalError: false, retryError: true, transferring, checking: [] }, idle],
    throughput: { windowSeconds: 600, points },
  };
}

const finishedAt = iso(90_000);

function transfers(): Transfers {
  const common = { instance: 'default', checked: false, group: 'job/1', uploader: 'google', serviceAccount: null, source: 'rclone' as const };
  return {
    schemaVersion: 1,
    generatedAt: iso(0),
    limit: 500,
    count: 3,
    failed: 1,
    transfers: [
      { ...common, id: 'a', name: 'TV/Show.S01E02.mkv', size: 1200 * MiB, bytes: 1200 * MiB, ok: true, error: null, startedAt: iso(100_000), completedAt: finishedAt, durationSeconds: 10, avgSpeed: 120 * MiB },
      { ...common, id: 'b', name: 'TV/Show.S01E01.mkv', size: 900 * MiB, bytes: 12 * MiB, ok: false, error: RATE_LIMIT, startedAt: iso(200_000), completedAt: iso(190_000), durationSeconds: 10, avgSpeed: 1.2 * MiB },
      { ...common, id: 'c', name: 'Music/album.flac', size: 40 * MiB, bytes: 40 * MiB, ok: true, error: null, startedAt: iso(300_000), completedAt: iso(299_000), durationSeconds: 1, avgSpeed: 40 * MiB },
    ],
  };
}

beforeAll(async () => {
  // Only these three written: files this sidecar never wrote have no changedAt, and the page must not ask for them.
  await site.start((out) => ({ health: health(out), live: live(42.5, 91.3), transfers: transfers() }), {
    timezoneId: ZONE,
    locale: 'en-GB',
    site: { intervalSeconds: 2, instances: ['default', 'backup', 'nas'] },
    heartbeatSeconds: 30,
    intervals: { activeSeconds: 0.5, idleSeconds: 0.5, maxBackoffSeconds: 15 },
  });
  expectValidOutput(site.out, ['index', 'health', 'live', 'transfers']);
  view = await site.open('');
}, 120_000);

afterAll(() => site.stop());

describe('the overview page in Chromium, from data files', () => {
  it('draws progress, the chart, sources in words, totals and finished transfers from the JSON', async () => {
    const { page } = view;
    const film = page.getByRole('progressbar', { name: `Progress of ${FILM}` });
    await film.waitFor({ timeout: 20_000 });
    expect(await film.evaluate((el) => (el as HTMLProgressElement).value)).toBe(42.5);
    expect(await page.locator('#inflight li', { hasText: FILM }).locator('.meta').textContent()).toMatch(/^43 % · 3\.3 GiB of 7\.8 GiB · 71\.3 MiB\/s now · avg 71\.3 MiB\/s · ETA /);

    // One step line per instance, drawn as SVG in the chart's container.
    await page.locator('#chart-throughput svg .mark-line path').nth(1).waitFor({ state: 'attached', timeout: 20_000 });
    expect(await page.locator('#chart-throughput svg .mark-line path').count()).toBe(2);
    expect(await page.locator('#chart-throughput svg .mark-line path').first().getAttribute('d')).toMatch(/^M[\d.]/);
    expect(await page.locator('#chart-throughput svg').textContent()).toContain('MiB/s');
    expect(await page.locator('#chart-throughput-desc').textContent()).toBe('Upload throughput over the last 10 min. Now: default 91.3 MiB/s, backup 0.0 MiB/s.');
    // Uploads in the window: no "nothing uploaded" line.
    expect(await page.locator('#chart-throughput-quiet').isHidden()).toBe(true);

    // Sources in words, with their hints; the sidecar's own healthy output is not a line.
    const sources = page.locator('#sources');
    await sources.getByText(IDLE_WORDS, { exact: true }).waitFor();
    expect(await sources.locator('li').count()).toBe(4);
    expect(await sources.textContent()).toContain('rclone “default” is answering (v1.68.2).');
    expect(await sources.textContent()).toContain('rclone “nas” refused plowboard\'s credentials.');
    expect(await sources.textContent()).toContain('Set PLOWBOARD_RCLONE_USER and PLOWBOARD_RCLONE_PASS');
    expect(await sources.textContent()).toContain('cloudplow config: not found.');

    expect(await page.locator('#stat-speed').textContent()).toBe('91.3 MiB/s');
    expect(await page.locator('#stat-eta').textContent()).toBe('2 min');
    expect(await page.locator('p.big', { has: page.locator('#stat-done') }).textContent()).toBe('3.3 GiB of 8.4 GiB');
    expect(await page.title()).toBe('▲ 91.3 MiB/s — plowboard');

    // Finished transfers: a real table, failures visible with their error, times in the viewer's zone.
    const failed = page.locator('#finished tr.failed');
    expect(await failed.count()).toBe(1);
    expect(await failed.locator('td').last().textContent()).toBe(`failed: ${RATE_LIMIT}`);
    expect(await page.locator('table.finished th').allTextContents()).toEqual(['File', 'Size', 'Finished', 'Took', 'Speed', 'Result']);
    const local = new Date(finishedAt).toLocaleTimeString('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit' });
    expect(await page.locator('#finished tr', { hasText: 'Show.S01E02' }).locator('td').nth(2).textContent()).toBe(local);
  }, 90_000);

  it('shows a file named like HTML as literal text, and nothing comes out of it', async () => {
    const { page } = view;
    await page.getByText(EVIL, { exact: true }).first().waitFor();
    expect(await page.locator('#inflight .file', { hasText: 'onerror' }).textContent()).toBe(EVIL);
    expect(await page.locator('img').count()).toBe(0);
    expect(site.dialogs).toEqual([]);
  });

  it('polls with conditional requests and fetches a data file only when it changed', async () => {
    const before = site.server.count('/data/index.json', 304);
    await waitFor('index.json revalidated with 304s', () => site.server.count('/data/index.json', 304) >= before + 3, 20_000);
    // First load only: their changedAt has not moved.
    expect(site.server.count('/data/live.json', 200)).toBe(1);
    expect(site.server.count('/data/transfers.json', 200)).toBe(1);
    // Listed without a changedAt, never written: never asked for.
    expect(site.server.log.filter((r) => r.path === '/data/config.json')).toEqual([]);
  }, 60_000);

  it('stops polling while the tab is hidden, and catches up when it is shown', async () => {
    const { page } = view;
    const polls = () => view.requests.filter((r) => r.endsWith('/data/index.json')).length;
    const setHidden = (hidden: boolean) =>
      page.evaluate((h) => {
        Object.defineProperty(document, 'hidden', { value: h, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    const paused = polls();
    await new Promise((r) => setTimeout(r, 2500));
    expect(polls()).toBe(paused);
    await setHidden(false);
    await waitFor('polling to resume', () => polls() > paused, 5_000);
  }, 30_000);

  it('shows how old its data is, ticking every second', async () => {
    const { page } = view;
    const age = async () => (await page.locator('#freshness').textContent()) ?? '';
    const before = await age();
    expect(before).toMatch(/^updated (just now|\d+ s ago)$/);
    await waitFor('the age to tick', async () => (await age()) !== before, 5_000);
    expect(await age()).toMatch(/^updated \d+ s ago$/);
  }, 30_000);

  it('updates in place when live.json changes', async () => {
    const { page } = view;
    const film = page.getByRole('progressbar', { name: `Progress of ${FILM}` });
    // Marks that a reload or a re-created element or chart would lose.
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
      (document.querySelector(`#inflight progress`) as unknown as { same: boolean }).same = true;
      (document.querySelector('#chart-throughput svg') as unknown as { same: boolean }).same = true;
    });
    site.update('live', live(80, 120));

    await waitFor('the bar to move', async () => (await film.evaluate((el) => (el as HTMLProgressElement).value)) === 80, 20_000);
    expect(await page.locator('#stat-speed').textContent()).toBe('120 MiB/s');
    expect(await page.title()).toBe('▲ 120 MiB/s — plowboard');
    expect(await page.locator('#chart-throughput-desc').textContent()).toContain('default 120.0 MiB/s');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await film.evaluate((el) => (el as unknown as { same?: boolean }).same)).toBe(true);
    expect(await page.locator('#chart-throughput svg').evaluate((el) => (el as unknown as { same?: boolean }).same)).toBe(true);
    expect(await page.locator('#chart-throughput svg').count()).toBe(1);
    expect(site.server.count('/data/live.json', 200)).toBe(2);
    expect(site.server.count('/data/transfers.json', 200)).toBe(1);
  }, 60_000);

  it('says in words when nothing was uploaded in the chart’s window, and its axis reads in round numbers', async () => {
    const { page } = view;
    const quiet = live(80, 0);
    quiet.throughput.points = quiet.throughput.points.map((p) => ({ ...p, bytesPerSecond: 0 }));
    for (const i of quiet.instances) i.speed = 0;
    site.update('live', quiet);
    await page.locator('#chart-throughput-quiet', { hasText: 'Nothing uploaded in the last 10 min.' }).waitFor({ state: 'visible', timeout: 20_000 });
    const ticks = await page.locator('#chart-throughput svg .role-axis-label text').allTextContents();
    expect(ticks.filter((t) => /^[\d.]+$/.test(t))).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    site.update('live', live(80, 120));
    await page.locator('#chart-throughput-quiet').waitFor({ state: 'hidden', timeout: 20_000 });
  }, 60_000);

  it('shows the upload session, the SA pool, the SAs nearest their limit and the last log lines once cloudplow is read', async () => {
    const { page } = view;
    // Before cloudplow's files are read, each part says so instead of showing nothing.
    expect(await page.locator('#session-line').textContent()).toBe('No upload session known yet.');
    expect(await page.locator('#nearest-empty').isVisible()).toBe(true);
    expect(await page.locator('#log-empty').isVisible()).toBe(true);
    expect(await page.locator('#stat-sas').textContent()).toBe('—');

    const sample = sampleData();
    for (const name of ['session', 'accounts', 'logs']) site.write(name, sample[name]);
    site.touch({ changed: ['live', 'session', 'accounts', 'logs'] });

    const line = page.locator('#session-line');
    await waitFor('the session banner', async () => (await line.textContent())?.startsWith('Uploading now: '), 20_000);
    expect(await line.textContent()).toMatch(/^Uploading now: google, SA 1 of 12 \(1\.json\), stage 1 · largest_first · max 700G, running 1 h( \d+ min)?, ETA 1 h\.$/);
    expect(await page.locator('#session-why').textContent()).toMatch(/^Active: rclone is busy .+the upload lock file is present.+\. From dashboard_session_state\.json\. The fork's session file differs: it counts 600 files done where \d+ finished\.$/);
    expect(await page.locator('#session').getAttribute('data-active')).toBe('true');
    expect(await page.locator('#session-account').textContent()).toBe('SA 1 of 12 · 1.json');

    expect(await page.locator('#stat-sas').textContent()).toBe('10 of 12');
    expect(await page.locator('#stat-sas-sub').textContent()).toBe('1 exhausted · 1 banned');
    expect(await page.locator('#stat-pool').textContent()).toBe('5.7 TiB');
    expect(await page.locator('#stat-pool-sub').textContent()).toMatch(/^lasts 20 h 45 min at this speed · next reset /);

    // Five usable SAs, the most used first; banned and exhausted ones are not "near" their limit.
    const nearest = page.locator('#nearest tr');
    expect(await nearest.count()).toBe(5);
    expect(await page.locator('table.nearest thead th[scope="col"]').count()).toBe(5);
    const percents = await nearest.locator('td.num span').allTextContents();
    expect(percents.map((p) => Number.parseFloat(p))).toEqual([...percents.map((p) => Number.parseFloat(p))].sort((a, b) => b - a));
    expect(await page.locator('#nearest th[scope="row"]').allTextContents()).toContain('1.jsonin use');
    expect(await page.locator('#nearest tr[data-status="banned"]').count()).toBe(0);
    // A hostile SA name is characters in a cell.
    expect(await page.locator('#nearest th[scope="row"] span', { hasText: 'calc' }).count()).toBe(1);

    const logs = page.locator('#log-lines li');
    expect(await logs.count()).toBe(5);
    expect(await logs.nth(4).getAttribute('data-level')).toBe('error');
    expect(await logs.nth(3).locator('.message').textContent()).toBe(`2026/11/22 10:00:00 INFO  : Movies/${EVIL_NAME}: Copied (new)`);
    expect(await page.locator('img').count()).toBe(0);
    expect(site.dialogs).toEqual([]);

    await waitFor('the title to count SAs', async () => (await page.title()) === '▲ 120 MiB/s · 10 SAs left — plowboard', 5_000);
    await page.screenshot({ path: path.join(repoRoot, 'test', 'artifacts', 'overview.png'), fullPage: true });
  }, 60_000);

  it('ran under a strict Content-Security-Policy with no console error and no request to another host', async () => {
    await view.page.screenshot({ path: path.join(repoRoot, 'test-artifacts', 'overview.png'), fullPage: true });
    // The policy is really in force (so Vega drew the chart without eval, and no inline code ran)…
    const probe = await site.browser.open(site.server.url);
    expect(await probe.page.evaluate(() => {
      const w = window as unknown as { inlineRan?: boolean };
      const s = document.createElement('script');
      s.textContent = 'window.inlineRan = true';
      document.head.append(s);
      return w.inlineRan ?? false;
    })).toBe(false);
    expect(probe.consoleErrors.join()).toMatch(/Content Security Policy/);
    await probe.page.close();
    // …and broke nothing: a violation would be a console error.
    expect(view.foreignRequests).toEqual([]);
    expect(view.requests.length).toBeGreaterThan(5);
    expectCleanPage(view);
  });

  it('reads well at phone width in dark mode', async () => {
    const phone = await site.browser.open(site.server.url, { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    const { page } = phone;
    await page.locator('#chart-throughput svg .mark-line path').first().waitFor({ timeout: 20_000 });
    await page.locator('#finished tr.failed').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(13, 17, 23)');
    await page.screenshot({ path: path.join(repoRoot, 'test-artifacts', 'overview-phone-dark.png'), fullPage: true });
    expectCleanPage(phone);
    await page.close();
  }, 60_000);

  it('says plainly when the sidecar has stopped', async () => {
    const { page } = view;
    site.touch({ heartbeatMsAgo: 10 * 60_000, changed: ['live'] });
    await page.getByText(/^The sidecar has stopped: no update since .+\. The numbers below are old\.$/).waitFor({ timeout: 20_000 });
    expect(await page.locator('#banner').isVisible()).toBe(true);
    await waitFor('the title to say so', async () => (await page.title()) === 'stopped — plowboard', 5_000);
    expect(await page.locator('#freshness').textContent()).toMatch(/^updated 10 min( \d+ s)? ago$/);
  }, 60_000);

  it('says a one-off build is a static build, not a stopped sidecar', async () => {
    const { page } = view;
    // heartbeatSeconds 0 is what a one-off `plowboard build` writes.
    const builtAt = site.touch({ heartbeatMsAgo: 3 * 3600_000, heartbeatSeconds: 0, changed: ['live'] }).heartbeatAt!;
    await waitFor('the static build line', async () => /^static build from /.test((await page.locator('#freshness').textContent()) ?? ''), 10_000);
    expect(await page.locator('#freshness').textContent()).toBe(`static build from ${await page.evaluate((t) => new Date(t).toLocaleString(), builtAt)}`);
    await waitFor('the banner to go', () => page.locator('#banner').isHidden(), 5_000);
    expect(await page.title()).not.toBe('stopped — plowboard');
  }, 30_000);

  it('says plainly when the server is unreachable, and backs off', async () => {
    const { page } = view;
    await site.server.stop();
    await page.getByText(/^The server is unreachable — retrying\./).waitFor({ timeout: 20_000 });
    expect(await page.title()).toBe('unreachable — plowboard');
    // Every 0.5 s while it answered; now 1 s, 2 s, 4 s apart.
    const polls = () => view.requests.filter((r) => r.endsWith('/data/index.json')).length;
    const before = polls();
    await new Promise((r) => setTimeout(r, 4000));
    expect(polls() - before).toBeGreaterThanOrEqual(1);
    expect(polls() - before).toBeLessThanOrEqual(3);
    expectCleanPage(view, [/Failed to load resource|ERR_CONNECTION_REFUSED/]);
  }, 60_000);
});
