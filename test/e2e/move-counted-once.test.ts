import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryRange, Live, Transfers } from '../../sidecar/contract/index.js';
import { TestBrowser, expectCleanPage } from '../helpers/browser.js';
import { waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';
import { sidecarOnRclone, type RcloneSidecar } from '../helpers/sidecarOnRclone.js';
import { readJson, runCli } from '../helpers/sidecarProcess.js';

/**
 * cloudplow uploads with `rclone move` to a remote that cannot move server-side (Drive
 * from local): rclone copies, then deletes the source. rclone 1.66+ lists an outer move
 * record around each copy; each file must still be one upload everywhere a user looks.
 */
const FILES: Array<[string, number]> = [
  ['Movie One (2019).mkv', 700_000],
  ['Movie Two (2020).mkv', 900_000],
  ['Show S01E01.mkv', 400_000],
  ['Show S01E02.mkv', 450_000],
  ['Show S01E03.mkv', 500_000],
  ['Film <em>odd-token.mkv', 300_000],
];
const N = FILES.length;
const TOTAL = FILES.reduce((n, [, size]) => n + size, 0);

let work: string;
let out: string;
let rclone: RcloneDaemon;
let sidecar: RcloneSidecar;
let base: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-move-'));
  rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  sidecar = await sidecarOnRclone(rclone, work, { command: 'run' });
  out = sidecar.out;
  base = sidecar.base!;

  const src = path.join(work, 'upload');
  makeFiles(src, FILES);
  // Slow enough for a few polls to see the files in flight, as they would on a real upload.
  await rclone.bwlimit('2M');
  const r = await rclone.rc('sync/move', { srcFs: src, dstFs: ':memory:bucket', _async: true });
  expect(r.ok, JSON.stringify(r.body)).toBe(true);
  expect((await rclone.waitJob((r.body as { jobid: number }).jobid, 120_000)).success).toBe(true);
  expect(readdirSync(src)).toEqual([]);
}, 240_000);

afterAll(async () => {
  await sidecar?.proc.stop();
  await rclone?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('a sync/move of N files is N uploads everywhere', () => {
  it('in transfers.json and its counts: one record per file, with its bytes, none of 0 bytes', async () => {
    const t = await waitFor('every file finished', () => {
      const x = readJson<Transfers>(path.join(out, 'data', 'transfers.json'));
      return x.count >= N ? x : null;
    }, 60_000);
    // A moment more, for a late outer record to be folded rather than added.
    await new Promise((r) => setTimeout(r, 1500));
    const after = readJson<Transfers>(path.join(out, 'data', 'transfers.json'));
    expect(after.count).toBe(N);
    expect(after.failed).toBe(0);
    expect(after.transfers.map((x) => [x.name, x.bytes, x.ok]).sort()).toEqual(FILES.map(([name, size]) => [name, size, true]).sort());
    expect(after.transfers.every((x) => !x.serverSide && x.dstFs !== undefined === (t.transfers[0]!.dstFs !== undefined))).toBe(true);
  });

  it('in live.json: moved and removed from the source, N each', async () => {
    const live = await waitFor('the move counted', () => {
      const l = readJson<Live>(path.join(out, 'data', 'live.json'));
      return l.total.transfers >= N ? l : null;
    }, 30_000);
    expect(live.total).toMatchObject({ transfers: N, moved: N, removedFromSource: N, errors: 0, inFlight: 0, queued: 0 });
  });

  it('in history and metrics.prom: the bytes once, N completed', async () => {
    // History is sampled every 5 s and metrics.prom rendered with it.
    await waitFor('history and metrics caught up', () => {
      const h = readJson<HistoryRange>(path.join(out, 'data', 'history-1h.json'));
      const total = h.series.find((s) => s.key === 'total');
      const bytes = (total?.bytes ?? []).reduce<number>((n, b) => n + (b ?? 0), 0);
      const prom = readFileSync(path.join(out, 'metrics.prom'), 'utf8');
      return bytes === TOTAL && /plowboard_transfers_completed_total\{series="total",result="ok"\} 6\b/.test(prom);
    }, 60_000, 500);
    const prom = readFileSync(path.join(out, 'metrics.prom'), 'utf8');
    expect(prom).toMatch(/plowboard_transfers_completed_total\{series="total",result="failed"\} 0\b/);
    expect(prom).toMatch(new RegExp(`plowboard_uploaded_bytes_total\\{series="total"\\} ${TOTAL}\\b`));
  });

  it('on the transfers page: N finished rows, each with its size', async () => {
    const browser = await new TestBrowser().launch();
    try {
      const watched = await browser.open(`${base}transfers/`);
      const rows = watched.page.locator('#tr-table tbody tr');
      let seen = '';
      await waitFor('the finished rows', async () => {
        seen = `${await rows.count()} rows: ${await watched.page.locator('#tr-table tbody').innerText()}`;
        return (await rows.count()) === N;
      }, 60_000, 250).catch((err: Error) => {
        throw new Error(`${err.message}; the table had ${seen}`);
      });
      const text = await watched.page.locator('#tr-table tbody').innerText();
      for (const [name] of FILES) expect(text.split(name).length - 1, name).toBe(1);
      expect(text).not.toMatch(/(^|\s)0 B(\s|$)/m);
      expect(await watched.page.locator('em').filter({ hasText: 'odd-token' }).count()).toBe(0);
      expectCleanPage(watched);
    } finally {
      await browser.close();
    }
  });

  it('in a snapshot: each file listed once', async () => {
    const snap = path.join(work, 'snap');
    const r = await runCli(['snapshot', '--from', out, '--out', snap]);
    expect(r.code, r.stderr).toBe(0);
    const md = readdirSync(snap).find((f) => f.endsWith('.md'))!;
    const text = readFileSync(path.join(snap, md), 'utf8');
    // Each name's plain part, whatever escaping the markup in one of them gets.
    for (const [name] of FILES) {
      const token = name.replace(/^.*<em>/, '');
      expect(text.split(token).length - 1, name).toBe(1);
    }
    expect(existsSync(path.join(snap, md.replace(/\.md$/, '.html')))).toBe(true);
  });
});
