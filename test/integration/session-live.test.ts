import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Accounts, Heartbeat, HistoryRange, Live, SessionFile } from '../../sidecar/contract/index.js';
import { poolLastsSeconds, poolRateFor } from '../../sidecar/format/poolForecast.js';
import { dumpJson, makeCloudplowFolder } from '../helpers/cloudplow.js';
import { waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { sidecarOnCloudplow } from '../helpers/sidecarProcess.js';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/**
 * A real rclone and a sidecar on a cloudplow whose session file says an upload of `accounts` SAs
 * began 5 s ago, with its lock present: the fork in the middle of a session.
 */
async function activeSession(accounts: number, sa: (saDir: string) => Record<string, unknown>) {
  const cp = makeCloudplowFolder({ accounts });
  cleanups.push(() => rmSync(cp.dir, { recursive: true, force: true }));
  const rclone = new RcloneDaemon(path.join(cp.dir, '..', `${path.basename(cp.dir)}-rclone`));
  await rclone.start();
  cleanups.push(async () => {
    await rclone.stop();
    rmSync(rclone.workDir, { recursive: true, force: true });
  });
  dumpJson(path.join(cp.dir, 'dashboard_session_state.json'), { active: true, uploader: 'google', session_start_time: Date.now() / 1000 - 5, total_sas: accounts, ...sa(cp.saDir) });
  mkdirSync(path.join(cp.dir, 'locks'));
  writeFileSync(path.join(cp.dir, 'locks', 'upload.lock'), '');
  const sidecar = await sidecarOnCloudplow(cp.config, [], rclone);
  cleanups.push(sidecar.stop);
  return { rclone, sidecar };
}

describe('a session uploading through a real rclone', () => {
  it('is active by evidence, marks its SA active, counts progress from rclone, and files history under its uploader and SA', async () => {
    const { rclone, sidecar } = await activeSession(5, (saDir) => ({
      current_sa: path.join(saDir, '3.json'),
      sa_index: 2,
      sas_used: ['1.json', '2.json', '3.json'],
      stage: 1,
      stage_params: { strategy: 'largest_first', max_transfer: '750G' },
    }));

    const src = path.join(rclone.workDir, 'src');
    makeFiles(src, Array.from({ length: 12 }, (_, i) => [`f${i}.mkv`, 600_000] as [string, number]));
    await rclone.bwlimit('1M');
    const job = await rclone.copy(src, path.join(rclone.workDir, 'dst'));

    const session = await waitFor('an active session', () => {
      const s = sidecar.data<SessionFile>('session').session;
      return s?.active && s.bytes.done > 0 ? s : null;
    });
    expect(session.evidence[0]).toMatch(/^rclone is busy/);
    expect(session.account).toEqual({ index: 3, of: 5, name: '3.json' });
    const accounts = sidecar.data<Accounts>('accounts');
    expect(accounts.uploaders[0]!.accounts.find((a) => a.name === '3.json')!.status).toBe('active');
    // The rate the pool drains at is in live.json; accounts.json holds the capacity it drains.
    await waitFor('the pool forecast', () => {
      const rate = sidecar.data<Live>('live').poolRate;
      const pool = sidecar.data<Accounts>('accounts').pool;
      return rate?.uploader === 'google' && rate.bytesPerSecond > 0 && pool.capacityLeftBytes > 0 && (poolLastsSeconds(pool, poolRateFor({ poolRate: rate }, 'google')) ?? 0) > 0;
    });

    expect((await rclone.waitJob(job, 60_000)).success).toBe(true);
    const done = await waitFor('every file counted', () => {
      const s = sidecar.data<SessionFile>('session').session!;
      return s.files.done === 12 ? s : null;
    });
    expect(done.bytes.done).toBeGreaterThanOrEqual(12 * 600_000);
    await waitFor('history under the uploader and the SA', () => {
      const h48 = sidecar.data<HistoryRange>('history-48h');
      const uploader = h48.series.find((s) => s.key === 'uploader:google');
      const daily = sidecar.data<HistoryRange>('history-90d').daily.find((d) => d.key === 'account:google/3.json');
      return uploader && uploader.bytes.some((b) => (b ?? 0) > 0) && daily && daily.bytes > 0;
    });
    // No sa_quota_cache.json here (as with upstream cloudplow): the SA's use is what plowboard saw it upload.
    const used = await waitFor('the SA’s observed use', () => {
      const sa = sidecar.data<Accounts>('accounts').uploaders[0]!.accounts.find((a) => a.name === '3.json')!;
      const daily = sidecar.data<HistoryRange>('history-90d').daily.find((d) => d.key === 'account:google/3.json');
      return sa.usedBytes > 0 && daily && sa.usedBytes === daily.bytes ? sa : null;
    });
    expect(used.sources.used).toMatch(/^observed by plowboard since \d{4}-\d\d-\d\d$/);
    expect(used.resetAt).not.toBeNull();
    expect(sidecar.data<Accounts>('accounts').uploaders[0]!.accounts.find((a) => a.name === '1.json')!.usedBytes).toBe(0);
    expectValidOutput(sidecar.out);
  });

  it('keeps session.json and the slow ranges standing while one file uploads, live.json carrying the moving figures', async () => {
    const { rclone, sidecar } = await activeSession(2, (saDir) => ({ current_sa: path.join(saDir, '1.json'), sa_index: 0 }));
    const src = path.join(rclone.workDir, 'src');
    // One file that takes minutes: nothing finishes while the files are watched, so nothing but the figures moves.
    makeFiles(src, [['big.mkv', 200 * 1024 ** 2]]);
    await rclone.bwlimit('400k');
    await rclone.move(src, ':memory:dst');
    await waitFor('the session’s progress in live.json', () => (sidecar.data<Live>('live').sessionProgress?.bytesDone ?? 0) > 0 && sidecar.data<SessionFile>('session').session?.active);

    const halfBeatMs = sidecar.data<Heartbeat>('heartbeat').heartbeatSeconds * 500;
    const file = (name: string) => path.join(sidecar.out, 'data', `${name}.json`);
    const liveBytes = new Set<number>();
    const sessions: Array<{ at: number; bytesDone: number; bytesTotal: number | null; meaning: string }> = [];
    const slowWrites = new Map<string, Set<number>>(['history-48h', 'history-90d', 'summary'].map((n) => [n, new Set([statSync(file(n)).mtimeMs])]));
    // The speed badge's figure moves with nearly every poll, its state does not: written at most every half beat.
    const badgeWrites = new Map<string, Set<number>>(['badges', 'badges/speed'].map((n) => [n, new Set([statSync(file(n)).mtimeMs])]));
    const watchedMs = 2 * halfBeatMs + 2000;
    for (const end = Date.now() + watchedMs; Date.now() < end; ) {
      const progress = sidecar.data<Live>('live').sessionProgress;
      if (progress) liveBytes.add(progress.bytesDone);
      const s = sidecar.data<SessionFile>('session');
      const at = Date.parse(s.generatedAt);
      if (at !== sessions.at(-1)?.at) {
        const { bytes, averageSpeed: _a, etaSeconds: _e, durationSeconds: _d, ...meaning } = s.session!;
        sessions.push({ at, bytesDone: bytes.done, bytesTotal: bytes.total, meaning: JSON.stringify({ ...meaning, bytesTotal: bytes.total }) });
      }
      for (const [n, seen] of [...slowWrites, ...badgeWrites]) seen.add(statSync(file(n)).mtimeMs);
      await new Promise((r) => setTimeout(r, 100));
    }
    // live.json moves with every poll (0.5 s here: some 24 in the window)…
    expect(liveBytes.size).toBeGreaterThanOrEqual(10);
    // …session.json with new figures alone only when half a beat has gone by: at most three such
    // versions in two half beats and a bit. (What the session is can change at any time: rclone
    // 1.60 shows the file in flight as checking now and then, which the evidence words.)
    const figuresOnly = sessions.filter((v, i) => i > 0 && v.meaning === sessions[i - 1]!.meaning);
    expect(figuresOnly.length).toBeLessThanOrEqual(3);
    expect(sessions.length).toBeLessThan(liveBytes.size);
    expect(Math.max(...sessions.map((v) => v.bytesDone))).toBeLessThanOrEqual(Math.max(...liveBytes));
    // The session's total is the file's size, not less what rclone counts of it in flight (null
    // only until rclone has sized its run).
    expect(sessions.some((v) => v.bytesTotal !== null)).toBe(true);
    for (const v of sessions) if (v.bytesTotal !== null) expect(v.bytesTotal).toBe(200 * 1024 ** 2);
    // The 48 h and 90 d ranges and the summary: at most one write in the window (each waits 30 s from its last).
    for (const [n, seen] of slowWrites) expect(seen.size, n).toBeLessThanOrEqual(2);
    // The badges: one write per half beat at most, three in the window, besides the one before it.
    for (const [n, seen] of badgeWrites) expect(seen.size, n).toBeLessThanOrEqual(4);
    expectValidOutput(sidecar.out);
  });
});
