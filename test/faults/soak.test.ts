import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Health } from '../../sidecar/contract/index.js';
import { makeCloudplowFolder, pythonProcess, stopProcess } from '../helpers/cloudplow.js';
import { waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';
import { sidecarOnCloudplow } from '../helpers/sidecarProcess.js';

/** Long enough in CI to see a trend; `PLOWBOARD_SOAK_SECONDS=1200` for the run RELIABILITY.md records. */
const SOAK_SECONDS = Number(process.env.PLOWBOARD_SOAK_SECONDS ?? 75);
const INTERVAL = 0.2;
const cleanups: Array<() => Promise<unknown> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
const fds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('a bounded soak with churn in every source', () => {
  it(`${SOAK_SECONDS} s at a ${INTERVAL} s interval: memory and open files flat, no error outlives its cause`, { timeout: (SOAK_SECONDS + 120) * 1000 }, async () => {
    const cp = makeCloudplowFolder({ accounts: 200 });
    cleanups.push(() => rmSync(cp.dir, { recursive: true, force: true }));
    const rclone = new RcloneDaemon(path.join(cp.dir, '..', `${path.basename(cp.dir)}-rclone`));
    await rclone.start();
    cleanups.push(async () => {
      await rclone.stop();
      rmSync(rclone.workDir, { recursive: true, force: true });
    });
    // cloudplow's side: the quota cache rewritten in place, log lines, bans changing.
    const writer = pythonProcess(
      `import time, random
d, q, log, db = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
logger(log, max_bytes=200000, backups=2)
l = logging.getLogger('cloudplow')
names = [os.path.join(d, f'{i}.json') for i in range(1, 201)]
i = 0
while True:
    i += 1
    dump(q, {'google': {n: {'bytes': random.randint(0, 800) * 1073741824, 'reset_time': time.time() + 3600} for n in names[:50]}})
    for _ in range(5):
        l.info(f'line {i} <b>{random.random()}</b>')
        time.sleep(0.05)
    if i % 10 == 0:
        bans(db, 'sa_bans', {'google': {names[i % 200]: time.time() + 600}})`,
      [cp.saDir, path.join(cp.dir, 'sa_quota_cache.json'), cp.log, cp.cacheDb],
    );
    cleanups.push(() => stopProcess(writer));

    const sidecar = await sidecarOnCloudplow(cp.config, ['--interval', String(INTERVAL)], rclone);
    cleanups.push(sidecar.stop);
    const pid = sidecar.proc.proc!.pid!;
    const samples: Array<{ at: number; rss: number; fds: number }> = [];
    const src = path.join(rclone.workDir, 'src');
    const end = Date.now() + SOAK_SECONDS * 1000;
    let round = 0;
    while (Date.now() < end) {
      // rclone's side: copies that come and go, and rclone itself restarting now and then.
      makeFiles(src, Array.from({ length: 5 }, (_, i) => [`r${round}-${i}.bin`, 300_000] as [string, number]));
      await rclone.bwlimit('3M');
      await rclone.copy(src, path.join(rclone.workDir, `dst${round}`));
      for (let s = 0; s < 5 && Date.now() < end; s++) {
        await new Promise((r) => setTimeout(r, 2000));
        samples.push({ at: Date.now(), rss: rssKiB(pid), fds: fds(pid) });
      }
      if (round % 3 === 2) {
        await rclone.stop();
        await new Promise((r) => setTimeout(r, 1000));
        await rclone.start(rclone.port);
      }
      rmSync(src, { recursive: true, force: true });
      round++;
    }
    expect(sidecar.proc.running).toBe(true);
    // Past the warm-up, the last third looks like the first: no growth that adds up over weeks.
    const third = Math.max(2, Math.floor(samples.length / 3));
    const early = samples.slice(1, 1 + third);
    const late = samples.slice(-third);
    const growthKiB = median(late.map((s) => s.rss)) - median(early.map((s) => s.rss));
    console.log(`soak ${SOAK_SECONDS} s: RSS ${median(early.map((s) => s.rss))} → ${median(late.map((s) => s.rss))} KiB, fds ${Math.min(...samples.map((s) => s.fds))}–${Math.max(...samples.map((s) => s.fds))}`);
    expect(growthKiB).toBeLessThan(25 * 1024);
    expect(Math.max(...late.map((s) => s.fds)) - median(early.map((s) => s.fds))).toBeLessThanOrEqual(4);

    // The churn stops: every source is fine again within two intervals (plus a write).
    await stopProcess(writer);
    const settled = Date.now();
    await waitFor(
      'every source fine',
      () => {
        const h = sidecar.data<Health>('health');
        return h.sources.filter((s) => s.kind === 'rclone' || s.id === 'cloudplow:sa_quota_cache.json' || s.id === 'cloudplow:log' || s.id === 'cloudplow:cache.db').every((s) => s.state === 'ok');
      },
      10_000,
      50,
    );
    expect(Date.now() - settled).toBeLessThan(2 * INTERVAL * 1000 + 1500);
  });
});
