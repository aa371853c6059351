import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Health } from '../../sidecar/contract/index.js';
import { waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { filesContaining } from '../helpers/secrets.js';
import { sidecarOnRclone, type RcloneSidecar } from '../helpers/sidecarOnRclone.js';
import { SidecarProcess, readJson } from '../helpers/sidecarProcess.js';

const INTERVAL = 0.5;
let work: string;
let rclone: RcloneDaemon;
let sidecar: RcloneSidecar;
let out: string;

const live = () => sidecar.live();
const health = () => sidecar.data<Health>('health');
const transfers = () => sidecar.transfers();
const rcloneHealth = () => sidecar.rcloneHealth();

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-live-'));
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

describe('a sidecar polling a real rclone rcd', () => {
  it('names in-flight files with their bytes within two intervals, then lists them as finished', async () => {
    const src = path.join(work, 'src1');
    makeFiles(src, [
      ['alpha.mkv', 3_000_000],
      ['beta.mkv', 3_000_000],
      ['<img src=x onerror=alert(1)>.mkv', 2_000_000],
    ]);
    await rclone.bwlimit('1M');
    const started = Date.now();
    const job = await rclone.copy(src, path.join(work, 'dst1'));
    const seen = await waitFor(
      'in-flight files in live.json',
      () => {
        const inst = live().instances[0]!;
        return inst.transferring.length >= 3 && inst.transferring.every((t) => t.bytes > 0) ? inst : null;
      },
      10_000,
      50,
    );
    const elapsed = Date.now() - started;
    expect(seen.transferring.map((t) => t.name).sort()).toEqual(['<img src=x onerror=alert(1)>.mkv', 'alpha.mkv', 'beta.mkv']);
    expect(seen.transferring.find((t) => t.name === 'alpha.mkv')!.size).toBe(3_000_000);
    expect(live().total.inFlight).toBe(3);
    // rclone needs a moment to list and open the files before any byte moves; a poll comes within the interval after that.
    expect(elapsed).toBeLessThan(2 * INTERVAL * 1000 + 2000);
    expect(health().state).toBe('ok');

    await rclone.bwlimit('off');
    expect((await rclone.waitJob(job)).success).toBe(true);
    await waitFor('finished files in transfers.json', () => transfers().transfers.filter((t) => t.ok).length >= 3, 10_000);
    const done = transfers().transfers.filter((t) => ['alpha.mkv', 'beta.mkv'].includes(t.name));
    expect(done).toHaveLength(2);
    expect(done.every((t) => t.bytes === 3_000_000 && t.instance === 'default' && t.source === 'rclone')).toBe(true);
    await waitFor('nothing in flight', () => live().total.inFlight === 0, 10_000);
    expect(rcloneHealth().version).toMatch(/^v1\./);
    expectValidOutput(out);
  });

  it('shows a failed copy with its error in transfers.json', async () => {
    const src = path.join(work, 'src2');
    const dst = path.join(work, 'dst2');
    makeFiles(src, [['conflict.mkv', 100_000], ['fine.mkv', 100_000]]);
    mkdirSync(path.join(dst, 'conflict.mkv'), { recursive: true });
    const job = await rclone.copy(src, dst);
    expect((await rclone.waitJob(job)).success).toBe(false);
    const failed = await waitFor('the failed transfer', () => transfers().transfers.find((t) => t.name === 'conflict.mkv'), 10_000);
    expect(failed.ok).toBe(false);
    // 1.60: "is a directory"; 1.75: "can't move object - incompatible remotes": rclone's words, shown as they are.
    expect(failed.error).toMatch(/directory|incompatible remotes/);
    expect(transfers().failed).toBeGreaterThanOrEqual(1);
  });

  it('keeps every one of more than 100 finished transfers', async () => {
    const src = path.join(work, 'src3');
    makeFiles(src, Array.from({ length: 160 }, (_, i) => [`many_${String(i).padStart(3, '0')}.bin`, 40_000] as [string, number]));
    // Slow enough that far fewer than rclone's 100 finish between two polls.
    await rclone.bwlimit('2M');
    const job = await rclone.copy(src, path.join(work, 'dst3'));
    expect((await rclone.waitJob(job, 60_000)).success).toBe(true);
    await rclone.bwlimit('off');
    const names = await waitFor(
      'all 160 in transfers.json',
      () => {
        const n = transfers().transfers.filter((t) => t.name.startsWith('many_')).map((t) => t.name);
        return n.length === 160 ? n : null;
      },
      10_000,
    );
    expect(new Set(names).size).toBe(160);
    const r = await rclone.rc('core/transferred');
    // rclone itself remembers only its last hundred or so: the rest were kept by merging polls.
    expect((r.body as { transferred: unknown[] }).transferred.length).toBeLessThan(160);
  });

  it('turns idle when rclone stops, keeps running, and recovers when rclone comes back', async () => {
    await rclone.stop();
    await waitFor('idle', () => rcloneHealth().state === 'idle', 10_000);
    expect(rcloneHealth().hint).toContain('"--rc": null');
    expect(health().state).toBe('idle');
    expect(live().instances[0]!.state).toBe('idle');
    expect(sidecar.proc.running).toBe(true);
    // Finished transfers survive rclone going away.
    expect(transfers().count).toBeGreaterThan(160);
    await rclone.start();
    await waitFor('ok again', () => rcloneHealth().state === 'ok', 30_000);
    expect(sidecar.proc.running).toBe(true);
    expect(sidecar.proc.stderr).not.toMatch(/Error|at .*\.js/);
  });
});

describe('credentials', () => {
  it('reads a wrong password as auth failed, and never writes the password anywhere', async () => {
    const out2 = path.join(work, 'output-auth');
    // In the URL, from the environment: on the command line it is refused (cli-password-refused.test.ts).
    const wrong = new SidecarProcess(['sidecar', '--output', out2, '--interval', '0.5'], { PLOWBOARD_RCLONE_URL: `http://${rclone.user}:wrong-pass-canary@127.0.0.1:${rclone.port}` }).start();
    try {
      const h = await waitFor('auth_failed', () => {
        const s = readJson<Health>(path.join(out2, 'data', 'health.json')).sources.find((x) => x.kind === 'rclone');
        return s?.state === 'auth_failed' ? s : null;
      }, 15_000);
      expect(h.hint).toMatch(/PLOWBOARD_RCLONE_PASS/);
      expect(h.target).toBe(`http://127.0.0.1:${rclone.port}`);
      expect(filesContaining(out2, 'wrong-pass-canary')).toEqual([]);
    } finally {
      await wrong.stop();
    }
  });
});
