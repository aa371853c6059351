import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Health, Heartbeat, Transfer } from '../../sidecar/contract/index.js';
import { waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { sidecarOnRclone, type RcloneSidecar } from '../helpers/sidecarOnRclone.js';
import { readJson } from '../helpers/sidecarProcess.js';

/**
 * cloudplow uploads with `rclone move`, not copy. To a remote that cannot move server-side
 * rclone copies each file and then deletes the source, and reports more than one entry per
 * file in core/transferred (how many, and with which bytes, differs between rclone
 * versions). Whatever rclone reports, a user should see each uploaded file once, with its
 * size, as in a copy.
 */
const INTERVAL = 0.5;
const SIZES = [200_000, 550_000, 900_000, 1_400_000, 2_000_000];
let work: string;
let rclone: RcloneDaemon;
let sidecar: RcloneSidecar;
let out: string;

const live = () => sidecar.live();
const health = () => sidecar.data<Health>('health');
const transfers = () => sidecar.transfers();
const rcloneHealth = () => sidecar.rcloneHealth();

/** N files of distinct sizes, named `<prefix>_<i>.mkv`. */
const batch = (prefix: string): Array<[string, number]> => SIZES.map((size, i) => [`${prefix}_${i}.mkv`, size]);
const filesIn = (dir: string) => readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name).sort();
/** Records of one batch, by file name: rclone names a file in a subfolder by its path from the folder moved. */
const named = (prefix: string) => transfers().transfers.filter((t) => path.posix.basename(t.name).startsWith(`${prefix}_`));
/** What a user reads in the transfers list, in a form whose diff names the file that is wrong. */
const shown = (ts: Transfer[]) => ts.map((t) => ({ name: t.name, bytes: t.bytes, ok: t.ok, checked: t.checked })).sort((a, b) => a.name.localeCompare(b.name) || a.bytes - b.bytes);
const asCopied = (files: Array<[string, number]>) => files.map(([name, size]) => ({ name, bytes: size, ok: true, checked: false }));

/**
 * Waits until the sidecar has worked a cycle well after `since`, so whatever rclone listed
 * by then has reached transfers.json. The data files change only when their content does;
 * heartbeat.json moves every few seconds regardless.
 */
async function settled(since: number): Promise<void> {
  await waitFor('a heartbeat two polls after the job ended', () => {
    const beat = readJson<Heartbeat>(path.join(out, 'data', 'heartbeat.json')).heartbeatAt;
    return beat !== null && Date.parse(beat) > since + 2 * INTERVAL * 1000;
  }, 30_000);
}

async function listRemote(fs: string, remote = ''): Promise<string[]> {
  const r = await rclone.rc('operations/list', { fs, remote });
  if (!r.ok) throw new Error(`operations/list ${fs}: ${JSON.stringify(r.body)}`);
  return (r.body as { list: Array<{ Name: string; IsDir: boolean }> }).list.filter((e) => !e.IsDir).map((e) => e.Name).sort();
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-move-'));
  rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  sidecar = await sidecarOnRclone(rclone, work, { interval: INTERVAL });
  out = sidecar.out;
});

afterAll(async () => {
  await sidecar?.proc.stop();
  await rclone?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('cloudplow-style moves and copies through a real rclone', () => {
  it('a move to a remote that cannot move server-side: the source is emptied, each file is listed once with its bytes', async () => {
    const files = batch('move');
    const src = path.join(work, 'move-src');
    makeFiles(src, files);
    const before = transfers().count;
    const failedBefore = transfers().failed;
    // Slow enough that every file is in flight for a couple of seconds, as on a real upload.
    await rclone.bwlimit('2M');
    const job = await rclone.move(src, ':memory:bucket');
    const inFlight = await waitFor(
      'the moving files in live.json',
      () => {
        const names = live().instances[0]!.transferring.map((t) => t.name).filter((n) => n.startsWith('move_'));
        return names.length >= 2 ? names : null;
      },
      20_000,
      50,
    );
    expect(new Set(inFlight).size, `in flight: ${inFlight.join(', ')}`).toBe(inFlight.length);
    const done = await rclone.waitJob(job, 90_000);
    const ended = Date.now();
    await rclone.bwlimit('off');
    expect(done).toMatchObject({ success: true, error: '' });

    expect(filesIn(src)).toEqual([]);
    expect(await listRemote(':memory:bucket')).toEqual(files.map(([n]) => n).sort());

    await waitFor('the moved files in transfers.json', () => named('move').length >= files.length, 20_000);
    await settled(ended);
    expect(shown(named('move'))).toEqual(asCopied(files));
    const t = transfers();
    expect(t.count).toBe(t.transfers.length);
    expect(t.count - before).toBe(files.length);
    expect(t.failed).toBe(failedBefore);
    expect(t.failed).toBe(t.transfers.filter((x) => !x.ok).length);
    await waitFor('nothing in flight', () => live().total.inFlight === 0, 20_000);
    expectValidOutput(out);
  });

  it('a copy to the same kind of remote: each file listed once with its bytes, the source kept', async () => {
    const files = batch('copy');
    const src = path.join(work, 'copy-src');
    makeFiles(src, files);
    const before = transfers().count;
    const failedBefore = transfers().failed;
    await rclone.bwlimit('2M');
    const job = await rclone.copy(src, ':memory:copies');
    const done = await rclone.waitJob(job, 90_000);
    const ended = Date.now();
    await rclone.bwlimit('off');
    expect(done).toMatchObject({ success: true, error: '' });

    expect(filesIn(src)).toEqual(files.map(([n]) => n).sort());
    expect(await listRemote(':memory:copies')).toEqual(files.map(([n]) => n).sort());
    await waitFor('the copied files in transfers.json', () => named('copy').length >= files.length, 20_000);
    await settled(ended);
    expect(shown(named('copy'))).toEqual(asCopied(files));
    const t = transfers();
    expect(t.count - before).toBe(files.length);
    expect(t.failed).toBe(failedBefore);
  });

  it('a server-side move between local folders: each moved file appears exactly once', async () => {
    const files = batch('local');
    const src = path.join(work, 'local-src');
    const dst = path.join(work, 'local-dst');
    // The destination already holds the subfolder, with a file in it: otherwise rclone
    // renames the whole folder in one step and reports no file at all.
    makeFiles(path.join(dst, 'season1'), [['already-there.mkv', 100_000]]);
    makeFiles(path.join(src, 'season1'), files);
    const before = transfers().count;
    const job = await rclone.move(src, dst);
    const done = await rclone.waitJob(job, 90_000);
    const ended = Date.now();
    expect(done).toMatchObject({ success: true, error: '' });

    expect(filesIn(path.join(src, 'season1'))).toEqual([]);
    expect(filesIn(path.join(dst, 'season1'))).toEqual([...files.map(([n]) => n), 'already-there.mkv'].sort());
    await waitFor('the moved files in transfers.json', () => named('local').length >= files.length, 20_000);
    await settled(ended);
    const listed = named('local');
    expect(listed.map((t) => t.name).sort()).toEqual(files.map(([n]) => `season1/${n}`).sort());
    expect(listed.every((t) => t.ok), JSON.stringify(shown(listed))).toBe(true);
    expect(transfers().count - before).toBe(files.length);
    expect(transfers().transfers.filter((t) => t.name.endsWith('already-there.mkv'))).toEqual([]);
  });
});
