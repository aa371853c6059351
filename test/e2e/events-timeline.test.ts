import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Events, Live, Manifest } from '../../sidecar/contract/index.js';
import { TestBrowser, expectCleanPage } from '../helpers/browser.js';
import { makeCloudplowFolder, writeBans, writeLog, type CloudplowFolder, type LogEntry } from '../helpers/cloudplow.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { RcloneDaemon } from '../helpers/rclone.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { SidecarProcess } from '../helpers/sidecarProcess.js';

/**
 * The timeline end to end: cloudplow's log lines written through cloudplow's own handler
 * and format, its ban table in cache.db, a real rclone stopped and started again, and the
 * real sidecar stopped with SIGTERM and started again on the same state folder (which reads
 * the whole log again). Each happening is one event, in order, in events.json and on the page.
 */
const EVIL = '<img src=x onerror=alert(1)>';
let work: string;
let cp: CloudplowFolder;
let rclone: RcloneDaemon;
let sidecar: SidecarProcess;
let browser: TestBrowser;
let port: number;
let base: string;
let out: string;

const start = () =>
  new SidecarProcess(['run', '--cloudplow-config', cp.config, '--rclone-url', rclone.url, '--output', out, '--state-dir', path.join(work, 'state'), '--port', String(port), '--interval', '0.5'], {
    PLOWBOARD_RCLONE_USER: rclone.user,
    PLOWBOARD_RCLONE_PASS: rclone.pass,
  }).start();
const read = <T>(name: string): T | null => {
  try {
    return JSON.parse(readFileSync(path.join(out, 'data', `${name}.json`), 'utf8')) as T;
  } catch {
    return null;
  }
};
const timeline = () => read<Events>('events')?.events ?? [];
const kinds = () => [...timeline()].reverse().map((e) => e.kind);
const has = (kind: string, n = 1) => timeline().filter((e) => e.kind === kind).length >= n;
const sa = (n: number) => path.join(cp.saDir, `${n}.json`);
const log = (...lines: LogEntry[]) => writeLog(cp.log, lines);
const rcloneLine = (text: string): LogEntry => ['process', 'info', `${new Date().toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, '/')} ${text}`];

/** What the test makes happen, oldest first; everything else the sidecar may see (rclone idle as a source) is not asked of it. */
const TOLD = ['sidecar_started', 'session_started', 'sa_rate_limited', 'sa_changed', 'sa_banned', 'rclone_restarted', 'sidecar_stopped', 'session_finished'];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-events-'));
  out = path.join(work, 'out');
  cp = makeCloudplowFolder({ accounts: 3 });
  rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  port = await freePort();
  base = `http://127.0.0.1:${port}/`;
  sidecar = start();
  await waitFor('the server and the pages', async () => (await fetch(`${base}data/index.json`).catch(() => null))?.ok && (await fetch(`${base}events/`).catch(() => null))?.ok, 90_000);
  browser = await new TestBrowser().launch();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await sidecar?.stop();
  await rclone?.stop();
  rmSync(work, { recursive: true, force: true });
  if (cp) rmSync(cp.dir, { recursive: true, force: true });
});

describe('the events timeline', () => {
  it('tells an SA rotation, a rate limit, a ban, an rclone restart and a sidecar restart once each, in order', async () => {
    log(['cloudplow', 'info', 'Starting upload'], ['cloudplow', 'info', 'There is 3 available service accounts'], ['uploader', 'info', `Using service account: ${sa(1)}`], ['uploader', 'info', "Uploading '/mnt/local/Media' to remote: google"]);
    await waitFor('the session start', () => has('session_started'), 60_000);

    // Three 403s of one SA: one rate-limit event. A hostile file name rides in the evidence line.
    const limit = `Failed to copy: googleapi: Error 403: User rate limit exceeded., userRateLimitExceeded`;
    log(rcloneLine(`ERROR : Movies/${EVIL}.mkv: ${limit}`), rcloneLine(`ERROR : Movies/b.mkv: ${limit}`), rcloneLine(`ERROR : Movies/c.mkv: ${limit}`));
    await waitFor('three 403 lines counted into one rate limit', () => timeline().find((e) => e.kind === 'sa_rate_limited')?.count === 3, 60_000);

    log(
      ['uploader', 'info', 'Trigger reached configuration limit.'],
      ['cloudplow', 'info', `Upload aborted due to trigger: Failed to copy: googleapi: Error 403: User rate limit exceeded being met, google is cycling to service_account file: ${sa(2)}`],
      ['uploader', 'info', `Using service account: ${sa(2)}`],
      ['uploader', 'info', "Uploading '/mnt/local/Media' to remote: google"],
    );
    await waitFor('the SA change', () => has('sa_changed'), 60_000);
    // cloudplow bans the SA it cycled away from, in cache.db.
    const until = Date.now() / 1000 + 25 * 3600;
    writeBans(cp.cacheDb, 'sa_bans', { google: { [sa(1)]: until, [sa(2)]: null, [sa(3)]: null } });
    await waitFor('the ban', () => has('sa_banned'), 60_000);

    // rclone stops (the sidecar sees nothing listening) and a new one starts on the same port.
    await rclone.stop();
    await waitFor('rclone seen gone', () => read<Live>('live')?.instances[0]?.state === 'idle', 60_000);
    await rclone.start(rclone.port);
    await waitFor('the rclone restart', () => has('rclone_restarted'), 60_000);

    // The sidecar stops and starts on the same state folder, and reads the whole log again.
    const before = read<Manifest>('index')!.sidecar.startedAt;
    expect(await sidecar.stop('SIGTERM')).toBe(0);
    sidecar = start();
    await waitFor('the sidecar back', () => read<Manifest>('index')?.sidecar.startedAt !== before && has('sidecar_started', 2), 90_000);
    log(['uploader', 'info', 'Finished uploading to remote: google'], ['cloudplow', 'info', 'Upload completed successfully for uploader: google'], ['cloudplow', 'info', 'Finished upload']);
    await waitFor('the session end', () => has('session_finished'), 60_000);

    const told = kinds().filter((k) => TOLD.includes(k));
    expect(told).toEqual([...TOLD.slice(0, 6), 'sidecar_stopped', 'sidecar_started', 'session_finished']);
    const events = timeline();
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const byKind = (k: string) => events.find((e) => e.kind === k)!;
    expect(byKind('session_started')).toMatchObject({ uploader: 'google', account: '1.json', severity: 'info' });
    expect(byKind('sa_rate_limited')).toMatchObject({ uploader: 'google', account: '1.json', severity: 'warning', count: 3 });
    expect(byKind('sa_rate_limited').evidence.line).toContain(`Movies/${EVIL}.mkv`);
    expect(byKind('sa_changed')).toMatchObject({ account: '2.json', summary: expect.stringContaining('from 1.json to 2.json') });
    expect(byKind('sa_banned')).toMatchObject({ uploader: 'google', account: '1.json', severity: 'warning' });
    expect(Math.abs(Date.parse(byKind('sa_banned').until!) - until * 1000)).toBeLessThan(1000);
    // Times never go back down the list (newest first).
    const times = events.map((e) => Date.parse(e.time));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // Kept in the state folder, the same list.
    const saved = JSON.parse(readFileSync(path.join(work, 'state', 'events.json'), 'utf8')) as Events['events'];
    // (saved every minute and at stop: at least what there was at the SIGTERM)
    expect(saved.filter((e) => TOLD.includes(e.kind)).map((e) => e.kind).reverse()).toEqual(expect.arrayContaining(TOLD.slice(0, 7)));
    expectValidOutput(out, ['events']);

    // The page: the same events, newest first, the hostile name as text.
    const view = await browser.open(`${base}events/`);
    const items = view.page.locator('#timeline li');
    await waitFor('the page to list them', async () => (await items.count()) === events.length, 30_000);
    const shown = await items.evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.kind));
    expect(shown.filter((k) => TOLD.includes(k!)).reverse()).toEqual(told);
    const limitItem = view.page.locator('#timeline li[data-kind=sa_rate_limited]');
    expect(await limitItem.locator('.line').textContent()).toContain(`Movies/${EVIL}.mkv`);
    expect(await limitItem.locator('.facts').textContent()).toBe('google · 1.json · 3×');
    expect(await view.page.locator('img').count()).toBe(0);
    await view.page.locator('#event-severity input[value=warning]').check();
    expect(await items.evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.kind))).toEqual(['sa_banned', 'sa_rate_limited']);
    expect(await view.page.locator('nav a[aria-current=page]').textContent()).toBe('Events');
    expectCleanPage(view);

    // The overview shows the last few; the kiosk the latest serious one.
    const overview = await browser.open(base);
    await waitFor('the overview events', async () => (await overview.page.locator('#recent-events li').count()) === 5, 30_000);
    expect(await overview.page.locator('#recent-events li').first().getAttribute('data-kind')).toBe(events[0]!.kind);
    const kiosk = await browser.open(`${base}kiosk/`);
    // The newest warning or error. On a loaded machine the run can outlast two minutes of rclone
    // moving nothing in the active session, which is itself a warning (rclone_idle) and then the newest.
    const newestSerious = () => timeline().find((e) => e.severity !== 'info')!;
    expect(newestSerious().kind, 'the ban or what came after it').toMatch(/^(sa_banned|rclone_idle|source_bad)$/);
    await waitFor('the kiosk event', async () => ((await kiosk.page.locator('#k-event').textContent()) ?? '').includes(newestSerious().summary), 30_000).catch(async (e: Error) => {
      throw new Error(`${e.message}: it shows ${await kiosk.page.locator('#k-event').textContent()}; the newest warning is ${newestSerious().kind}`);
    });
    if (newestSerious().kind === 'sa_banned') expect(await kiosk.page.locator('#k-event').textContent()).toContain('SA banned: 1.json is banned (google)');
    expectCleanPage(overview);
    expectCleanPage(kiosk);
  });
});
