import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanPage, type WatchedPage } from '../helpers/browser.js';
import { EVIL, FILM, IDLE_WORDS, RATE_LIMIT, ZONE, finishedAt, live, startOverview } from '../helpers/overviewData.js';
import { waitFor } from '../helpers/ports.js';
import { repoRoot } from '../helpers/sidecarProcess.js';
import { SitePage } from '../helpers/sitePage.js';

const site = new SitePage();
let view: WatchedPage;

beforeAll(async () => {
  view = await startOverview(site);
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
    // The words follow each poll; the chart itself moves on within a step of its window (5 s).
    const valueTicks = async () => (await page.locator('#chart-throughput svg .role-axis-label text').allTextContents()).filter((t) => /^[\d.]+$/.test(t));
    await waitFor('the empty chart redrawn', async () => (await valueTicks()).join() === '0.0,0.2,0.4,0.6,0.8,1.0', 20_000, 250).catch(async (err: Error) => {
      throw new Error(`${err.message}; the value axis reads ${(await valueTicks()).join(' ')}`);
    });
    site.update('live', live(80, 120));
    await page.locator('#chart-throughput-quiet').waitFor({ state: 'hidden', timeout: 20_000 });
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
});
