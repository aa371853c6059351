import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Live, Manifest } from '../../sidecar/contract/index.js';
import { TestBrowser, expectCleanPage, type WatchedPage } from '../helpers/browser.js';
import { dumpJson, makeCloudplowFolder, type CloudplowFolder } from '../helpers/cloudplow.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';
import { SidecarProcess } from '../helpers/sidecarProcess.js';

/**
 * A busy rclone, seen by a viewer: while bytes move, only the files that say something new
 * may cost a page more than a 304. accounts.json (the largest) stands until an account's
 * use changes; index.json until a file announced in it does; live.json moves.
 */
const INTERVAL = 1;
/** How long the pages are watched, once loaded: many polls, and a few 5 s history samples. */
const WATCH_MS = 12_000;
const GiB = 1024 ** 3;

let work: string;
let cp: CloudplowFolder;
let rclone: RcloneDaemon;
let sidecar: SidecarProcess;
let browser: TestBrowser;
let base: string;
let out: string;

interface Seen {
  file: string;
  status: number;
  at: number;
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-304-'));
  cp = makeCloudplowFolder({ accounts: 6 });
  const sa = (n: number) => path.join(cp.saDir, `${n}.json`);
  const now = Date.now() / 1000;
  dumpJson(path.join(cp.dir, 'sa_quota_cache.json'), { google: { [sa(1)]: { bytes: 700 * GiB, reset_time: now + 3600, first_upload: now - 3600 } } });
  // An upload session under way: its SA is active, and its pool drains at the session's rate.
  dumpJson(path.join(cp.dir, 'dashboard_session_state.json'), { active: true, uploader: 'google', session_start_time: now - 30, current_sa: sa(2), sa_index: 1, total_sas: 6, sas_used: ['1.json', '2.json'], stage: 1, stage_params: { strategy: 'largest_first' } });
  mkdirSync(path.join(cp.dir, 'locks'));
  writeFileSync(path.join(cp.dir, 'locks', 'upload.lock'), '');

  rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  const port = await freePort();
  base = `http://127.0.0.1:${port}/`;
  out = path.join(work, 'out');
  sidecar = new SidecarProcess(['run', '--cloudplow-config', cp.config, '--rclone-url', rclone.url, '--output', out, '--state-dir', path.join(work, 'state'), '--port', String(port), '--interval', String(INTERVAL)], {
    PLOWBOARD_RCLONE_USER: rclone.user,
    PLOWBOARD_RCLONE_PASS: rclone.pass,
  }).start();
  await waitFor('the server and the pages', async () => (await fetch(`${base}data/index.json`).catch(() => null))?.ok && (await fetch(`${base}accounts/`).catch(() => null))?.ok, 90_000);

  // One large file moved slowly, as cloudplow's `rclone move`: bytes move on every poll, no file
  // finishes while the pages are watched — four minutes of it, for a loaded machine that opens
  // Chromium and both pages slowly (a finished file rightly moves transfers.json and more).
  makeFiles(path.join(work, 'src'), [['big.mkv', 240_000_000]]);
  await rclone.bwlimit('1M');
  await rclone.move(path.join(work, 'src'), ':memory:dst');
  await waitFor('bytes moving in live.json', async () => ((await (await fetch(`${base}data/live.json`)).json()) as Live).total.bytes > 0, 30_000);
  browser = await new TestBrowser().launch();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await sidecar?.stop();
  await rclone?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  if (cp) rmSync(cp.dir, { recursive: true, force: true });
});

/**
 * Opens a page and records every data file it is answered from then on, with the
 * status that came over the wire. Playwright's response.status() shows a revalidated answer as
 * the cached 200 it stands for; Chromium's own network events carry the 304 the server sent.
 */
async function watch(urlPath: string): Promise<{ view: WatchedPage; seen: () => Seen[] }> {
  const view = await browser.open(base + urlPath);
  const cdp = await view.page.context().newCDPSession(view.page);
  await cdp.send('Network.enable');
  const sent = new Map<string, string>();
  const wire = new Map<string, number>();
  const finished: Array<{ id: string; file: string; at: number }> = [];
  cdp.on('Network.requestWillBeSent', (e) => sent.set(e.requestId, e.request.url));
  cdp.on('Network.responseReceivedExtraInfo', (e) => wire.set(e.requestId, e.statusCode));
  cdp.on('Network.loadingFinished', (e) => {
    const m = /\/data\/([\w-]+)\.json$/.exec(new URL(sent.get(e.requestId) ?? 'about:blank').pathname);
    if (m) finished.push({ id: e.requestId, file: m[1]!, at: Date.now() });
  });
  const seen = () =>
    finished.map(({ id, file, at }) => {
      const status = wire.get(id);
      if (status === undefined) throw new Error(`no status from the wire for ${file}.json`);
      return { file, status, at };
    });
  return { view, seen };
}

/** The files whose changedAt moves in index.json over `ms`: what makes a page's poll of it cost more than a 304. */
async function manifestMoves(ms: number): Promise<string[]> {
  const read = async () => ((await (await fetch(`${base}data/index.json`)).json()) as Manifest).files;
  const moved: string[] = [];
  let before = await read();
  for (const end = Date.now() + ms; Date.now() < end; ) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await read();
    for (const f of now) if (before.find((x) => x.name === f.name)?.changedAt !== f.changedAt) moved.push(f.name);
    before = now;
  }
  return moved;
}

/** The test's premise: the file was still in flight when the watch ended. */
async function stillMoving(): Promise<void> {
  const live = (await (await fetch(`${base}data/live.json`)).json()) as Live;
  expect(live.total.inFlight, 'the big file still in flight at the end of the watch').toBe(1);
}

/** The page's first poll is over once the next has begun: it asks for index.json again. */
async function firstPollDone(seen: () => Seen[]): Promise<number> {
  const drawn = Date.now();
  await waitFor('the next poll', () => seen().some((s) => s.file === 'index' && s.at > drawn), 30_000);
  return Date.now();
}

const statuses = (seen: Seen[], file: string) => seen.filter((s) => s.file === file).map((s) => s.status);
const changedOften = (seen: Seen[], file: string) => statuses(seen, file).filter((s) => s === 200).length;

describe('a page watching a busy rclone', () => {
  it('the accounts page: 304 for accounts.json and index.json while the pool’s time left moves with live.json', async () => {
    const { view, seen } = await watch('accounts/');
    const lasts = view.page.locator('#pool-lasts');
    // First load: the pool's time left is shown, from accounts.json's capacity and live.json's rate.
    await waitFor('the pool’s time left', async () => /\d/.test((await lasts.textContent()) ?? ''), 30_000);
    expect(await view.page.locator('#pool-lasts-sub').textContent()).toMatch(/^at the current [\d.]+ [KM]iB\/s$/);
    const loaded = await firstPollDone(seen);
    const moves = manifestMoves(WATCH_MS);
    const shown = new Set<string>();
    await waitFor('several intervals', async () => {
      shown.add((await lasts.textContent()) ?? '');
      return Date.now() - loaded > WATCH_MS;
    }, WATCH_MS + 10_000, 250);
    const after = seen().filter((s) => s.at > loaded);
    await stillMoving();
    expect(await moves, 'files whose changedAt moved in index.json').toEqual([]);

    // Polled every interval, answered 304 every time: nothing it announces changed.
    expect(statuses(after, 'index').length).toBeGreaterThanOrEqual(WATCH_MS / 1000 / INTERVAL / 2);
    expect(new Set(statuses(after, 'index'))).toEqual(new Set([304]));
    // accounts.json: its changedAt does not move, so it is not asked for again at all.
    expect(statuses(after, 'accounts')).toEqual([]);
    // live.json: polled directly, new as bytes move.
    expect(changedOften(after, 'live')).toBeGreaterThanOrEqual(WATCH_MS / 1000 / INTERVAL / 2);
    // The heartbeat: new once per beat (every 10 s at this interval, max(10, 3 × interval)); asked for every half beat
    // and, once the next beat is due, with each poll until it comes — not with every poll.
    expect(changedOften(after, 'heartbeat')).toBeLessThanOrEqual(Math.ceil(WATCH_MS / 5000) + 1);
    expect(statuses(after, 'heartbeat').length).toBeLessThanOrEqual(Math.ceil((statuses(after, 'index').length * 2) / 3));
    // The 48 h chart's open bucket grows with every 5 s sample while bytes move: new at most that often.
    expect(changedOften(after, 'history-48h')).toBeLessThanOrEqual(Math.ceil(WATCH_MS / 5000) + 1);
    for (const s of after) expect(['index', 'heartbeat', 'live', 'history-48h', 'accounts'], `${s.file} ${s.status}`).toContain(s.file);
    // The time left moved while accounts.json stood: it is worked out in the page.
    expect(shown.size).toBeGreaterThan(1);
    expectCleanPage(view);
    await view.page.close();
  }, 120_000);

  it('the overview: 304 for everything it draws but live.json, the session’s bytes in flight and the heartbeat', async () => {
    const { view, seen } = await watch('');
    await waitFor('the overview with the pool and the bytes done', async () => /lasts .+ at this speed/.test((await view.page.locator('#stat-pool-sub').textContent()) ?? ''), 30_000);
    const loaded = await firstPollDone(seen);
    const moves = manifestMoves(WATCH_MS);
    const done = new Set<string>();
    await waitFor('several intervals', async () => {
      done.add((await view.page.locator('#stat-done').textContent()) ?? '');
      return Date.now() - loaded > WATCH_MS;
    }, WATCH_MS + 10_000, 250);
    const after = seen().filter((s) => s.at > loaded);
    await stillMoving();
    expect(await moves, 'files whose changedAt moved in index.json').toEqual([]);

    expect(new Set(statuses(after, 'index'))).toEqual(new Set([304]));
    for (const file of ['accounts', 'health', 'transfers', 'logs']) expect(statuses(after, file), file).toEqual([]);
    expect(changedOften(after, 'live')).toBeGreaterThanOrEqual(WATCH_MS / 1000 / INTERVAL / 2);
    expect(changedOften(after, 'heartbeat')).toBeLessThanOrEqual(Math.ceil(WATCH_MS / 5000) + 1);
    // session.json is polled directly, like live.json, so that its figures refreshed every half
    // beat do not move the manifest.
    for (const s of after) expect(['index', 'heartbeat', 'live', 'session'], `${s.file} ${s.status}`).toContain(s.file);
    expect(done.size).toBeGreaterThan(2);
    expectCleanPage(view);
    await view.page.close();
  }, 120_000);
});
