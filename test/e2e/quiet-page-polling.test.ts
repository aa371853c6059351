import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Live, Manifest } from '../../sidecar/contract/index.js';
import { TestBrowser, expectCleanPage } from '../helpers/browser.js';
import { makeCloudplowFolder, writeLog, type CloudplowFolder } from '../helpers/cloudplow.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';
import { SidecarProcess } from '../helpers/sidecarProcess.js';

/**
 * Between uploads a page polls at the sidecar's idle interval, as the sidecar polls rclone:
 * most of a day nothing moves, and a wall screen asking every interval finds nothing new.
 * The first change (an upload starting, as cloudplow starts one) brings it back to the interval.
 */
const INTERVAL_S = 1;
const IDLE_S = 5;
const WATCH_MS = 30_000;

let work: string;
let cp: CloudplowFolder;
let rclone: RcloneDaemon;
let sidecar: SidecarProcess;
let browser: TestBrowser;
let base: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-quiet-page-'));
  cp = makeCloudplowFolder({ accounts: 3 });
  // A run from before, finished: the log says nothing is under way.
  const hourAgo = Date.now() / 1000 - 3600;
  writeLog(cp.log, [
    ['cloudplow', 'info', 'Starting upload', hourAgo],
    ['cloudplow', 'info', 'Finished upload', hourAgo + 60],
  ]);
  rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  const port = await freePort();
  base = `http://127.0.0.1:${port}/`;
  sidecar = new SidecarProcess(['run', '--cloudplow-config', cp.config, '--rclone-url', rclone.url, '--output', path.join(work, 'out'), '--state-dir', path.join(work, 'state'), '--port', String(port), '--interval', String(INTERVAL_S)], {
    PLOWBOARD_RCLONE_USER: rclone.user,
    PLOWBOARD_RCLONE_PASS: rclone.pass,
  }).start();
  await waitFor('the server and the pages', async () => (await fetch(`${base}data/index.json`).catch(() => null))?.ok && (await fetch(base).catch(() => null))?.ok, 90_000);
  browser = await new TestBrowser().launch();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await sidecar?.stop();
  await rclone?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  if (cp) rmSync(cp.dir, { recursive: true, force: true });
});

/** The gaps between consecutive polls (requests for index.json) that began after `from`. */
const gaps = (times: number[], from: number) => {
  const t = times.filter((at) => at >= from);
  return t.slice(1).map((at, i) => at - t[i]!);
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

describe('a page between uploads', () => {
  it('polls at the idle interval while nothing changes, and at the interval again once an upload starts', async () => {
    const manifest = (await (await fetch(`${base}data/index.json`)).json()) as Manifest;
    expect(manifest.intervals).toMatchObject({ activeSeconds: INTERVAL_S, idleSeconds: IDLE_S });
    const polls: number[] = [];
    const view = await browser.open(base);
    view.page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/data/index.json') polls.push(Date.now());
    });
    await waitFor('the overview drawn', async () => ((await view.page.locator('#stat-speed').textContent()) ?? '').trim() !== '', 30_000);

    // At rest: after a few polls that bring nothing, one every idle interval.
    await waitFor('a settled page', () => polls.length >= 4, 60_000);
    const restFrom = Date.now();
    await new Promise((r) => setTimeout(r, WATCH_MS));
    const atRest = gaps(polls, restFrom);
    expect(atRest.length, `polls at rest: ${atRest.join(', ')} ms apart`).toBeGreaterThanOrEqual(3);
    // One every interval would be 30; a change at rest (a source's health) earns a few quick ones.
    expect(atRest.length).toBeLessThanOrEqual(WATCH_MS / 1000 / IDLE_S + 4);
    expect(median(atRest), `gaps at rest: ${atRest.join(', ')}`).toBeGreaterThanOrEqual(IDLE_S * 1000 * 0.8);

    // An upload starts as cloudplow starts one: its log line, then rclone moving a slow file.
    writeLog(cp.log, [
      ['cloudplow', 'info', 'Starting upload'],
      ['cloudplow', 'info', "Uploading '/mnt/local/Media' to remote: google"],
    ]);
    makeFiles(path.join(work, 'src'), [['big.mkv', 120_000_000]]);
    await rclone.bwlimit('1M');
    await rclone.move(path.join(work, 'src'), ':memory:dst');
    await waitFor('bytes moving in live.json', async () => ((await (await fetch(`${base}data/live.json`)).json()) as Live).total.bytes > 0, 60_000);
    // The page hears it within an idle interval (more on a loaded machine), then polls every interval.
    const shown = await waitFor('the page showing the transfer', async () => /^1 in flight/.test((await view.page.locator('#stat-transfers-sub').textContent()) ?? '') && Date.now(), 60_000);
    await waitFor('polls after the start', () => gaps(polls, shown).length >= 8, 60_000);
    const busy = gaps(polls, shown);
    expect(median(busy), `gaps while bytes move: ${busy.join(', ')}`).toBeLessThan(IDLE_S * 1000 * 0.6);
    const live = (await (await fetch(`${base}data/live.json`)).json()) as Live;
    expect(live.total.inFlight, 'the file still in flight at the end').toBe(1);
    expectCleanPage(view);
  }, 240_000);
});
