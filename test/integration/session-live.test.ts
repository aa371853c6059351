import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Accounts, HistoryRange, Live, SessionFile } from '../../sidecar/contract/index.js';
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

describe('a session uploading through a real rclone', () => {
  it('is active by evidence, marks its SA active, counts progress from rclone, and files history under its uploader and SA', async () => {
    const cp = makeCloudplowFolder({ accounts: 5 });
    cleanups.push(() => rmSync(cp.dir, { recursive: true, force: true }));
    const rclone = new RcloneDaemon(path.join(cp.dir, '..', `${path.basename(cp.dir)}-rclone`));
    await rclone.start();
    cleanups.push(async () => {
      await rclone.stop();
      rmSync(rclone.workDir, { recursive: true, force: true });
    });
    const t0 = Date.now() / 1000;
    dumpJson(path.join(cp.dir, 'dashboard_session_state.json'), {
      active: true,
      uploader: 'google',
      session_start_time: t0 - 5,
      current_sa: path.join(cp.saDir, '3.json'),
      sa_index: 2,
      total_sas: 5,
      sas_used: ['1.json', '2.json', '3.json'],
      stage: 1,
      stage_params: { strategy: 'largest_first', max_transfer: '750G' },
    });
    mkdirSync(path.join(cp.dir, 'locks'));
    writeFileSync(path.join(cp.dir, 'locks', 'upload.lock'), '');
    const sidecar = await sidecarOnCloudplow(cp.config, [], rclone);
    cleanups.push(sidecar.stop);

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
    }, 20_000);
    expect(done.bytes.done).toBeGreaterThanOrEqual(12 * 600_000);
    await waitFor('history under the uploader and the SA', () => {
      const h48 = sidecar.data<HistoryRange>('history-48h');
      const uploader = h48.series.find((s) => s.key === 'uploader:google');
      const daily = sidecar.data<HistoryRange>('history-90d').daily.find((d) => d.key === 'account:google/3.json');
      return uploader && uploader.bytes.some((b) => (b ?? 0) > 0) && daily && daily.bytes > 0;
    }, 20_000);
    // No sa_quota_cache.json here (as with upstream cloudplow): the SA's use is what plowboard saw it upload.
    const used = await waitFor('the SA’s observed use', () => {
      const sa = sidecar.data<Accounts>('accounts').uploaders[0]!.accounts.find((a) => a.name === '3.json')!;
      const daily = sidecar.data<HistoryRange>('history-90d').daily.find((d) => d.key === 'account:google/3.json');
      return sa.usedBytes > 0 && daily && sa.usedBytes === daily.bytes ? sa : null;
    }, 20_000);
    expect(used.sources.used).toMatch(/^observed by plowboard since \d{4}-\d\d-\d\d$/);
    expect(used.resetAt).not.toBeNull();
    expect(sidecar.data<Accounts>('accounts').uploaders[0]!.accounts.find((a) => a.name === '1.json')!.usedBytes).toBe(0);
    expectValidOutput(sidecar.out);
  });
});
