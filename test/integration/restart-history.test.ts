import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryRange, Manifest, Transfers } from '../../sidecar/contract/index.js';
import { waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { SidecarProcess, readJson } from '../helpers/sidecarProcess.js';

let work: string;
let rclone: RcloneDaemon;
let out: string;
let stateDir: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const start = () =>
  new SidecarProcess(['sidecar', '--rclone-url', rclone.url, '--output', out, '--state-dir', stateDir, '--interval', '0.5'], {
    PLOWBOARD_RCLONE_USER: rclone.user,
    PLOWBOARD_RCLONE_PASS: rclone.pass,
  }).start();
const startedAt = () => readJson<Manifest>(path.join(out, 'data', 'index.json')).sidecar.startedAt;
const hour = () => readJson<HistoryRange>(path.join(out, 'data', 'history-1h.json')).series.find((s) => s.key === 'total')!;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-restart-'));
  out = path.join(work, 'out');
  stateDir = path.join(work, 'state');
  rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
});
afterAll(async () => {
  await rclone?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('history across restarts', () => {
  it('continues after SIGTERM with a gap, and after SIGKILL from the last save, never with a corrupt file', async () => {
    // About 25 s of upload, started once the sidecar is up: on a loaded machine its start (the
    // site build first) once outlasted a shorter copy, and no sample ever had bytes.
    makeFiles(path.join(work, 'src'), Array.from({ length: 60 }, (_, i) => [`f${i}.bin`, 400_000] as [string, number]));
    await rclone.bwlimit('1M');
    let sidecar = start();
    await waitFor('the sidecar up', () => startedAt(), 90_000);
    const job = await rclone.copy(path.join(work, 'src'), path.join(work, 'dst'));
    await waitFor('two history samples with bytes', () => hour().bytes.filter((b) => (b ?? 0) > 0).length >= 2, 90_000);
    expect(await sidecar.stop('SIGTERM')).toBe(0);
    const saved = JSON.parse(readFileSync(path.join(stateDir, 'history.json'), 'utf8'));
    expect(saved.version).toBe(1);
    const before = hour().t.filter((t): t is number => t !== null);

    // Down for longer than two 5 s buckets.
    await sleep(11_000);
    sidecar = start();
    await waitFor('samples after the restart', () => (hour().t.filter((t): t is number => t !== null).at(-1) ?? 0) > before.at(-1)! + 10, 90_000);
    const after = hour();
    // `before` holds the samples' times without the nulls a busy machine leaves where a
    // sample came late: compared the same way.
    const samples = (t: Array<number | null>) => t.filter((x): x is number => x !== null);
    expect(samples(after.t).slice(0, before.length)).toEqual(before);
    // The gap: a null bucket right after what was published, or after the one sample the
    // shutdown save can hold beyond the last published file (a sample between the two).
    const last = after.t.indexOf(before.at(-1)!);
    expect(after.t.slice(last + 1, last + 3)).toContain(null);
    expect(after.t.filter((t) => t !== null).length).toBeGreaterThan(before.length);

    // SIGKILL: no shutdown save; the last saved state is still whole.
    await waitFor('finished transfers', () => readJson<Transfers>(path.join(out, 'data', 'transfers.json')).count > 0, 90_000);
    const killed = sidecar.proc!.pid!;
    const killedStart = startedAt();
    await sidecar.stop('SIGKILL');
    sidecar = start();
    // The killed sidecar's files still answer the history check: wait for the new one's own index.json,
    // written only after it has cleared stale temp files.
    await waitFor('the sidecar back', () => startedAt() !== killedStart && hour().t.filter((t) => t !== null).length >= before.length, 60_000);
    // A write the kill cut short left at most a temp file, which the restart cleared away.
    for (const dir of [stateDir, path.join(out, 'data')]) {
      expect(readdirSync(dir).filter((f) => f.includes(`.${killed}.`) || f.includes('corrupt'))).toEqual([]);
    }
    expect(samples(hour().t).slice(0, before.length)).toEqual(before);
    await rclone.bwlimit('off');
    await rclone.waitJob(job);
    await sidecar.stop('SIGTERM');
    // Finished transfers were kept across the restarts too.
    expect(JSON.parse(readFileSync(path.join(stateDir, 'transfers.json'), 'utf8')).length).toBeGreaterThan(0);
    expectValidOutput(out);
    expect(existsSync(path.join(out, 'data', 'history-90d.json'))).toBe(true);
  });
});
