import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryRange } from '../../sidecar/contract/index.js';
import { waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';
import { sidecarOnRclone, type RcloneSidecar } from '../helpers/sidecarOnRclone.js';

/**
 * cloudplow ends rclone and starts a new one for every SA. The new process counts from
 * zero and may pass the old one's counters before plowboard's next poll: every byte of
 * both must reach history once, and the restart must be told from a counter reset.
 */
let work: string;
let rclone: RcloneDaemon;
let sidecar: RcloneSidecar;

const live = () => sidecar.live();
const historyBytes = () => {
  const total = sidecar.data<HistoryRange>('history-1h').series.find((s) => s.key === 'total');
  return (total?.bytes ?? []).reduce<number>((n, b) => n + (b ?? 0), 0);
};
const statsBytes = async () => ((await rclone.rc('core/stats')).body as { bytes: number }).bytes;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-restart-'));
  rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  sidecar = await sidecarOnRclone(rclone, work, { interval: 2 });
}, 120_000);

afterAll(async () => {
  await sidecar?.proc.stop();
  await rclone?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('an rclone restarted between two polls', () => {
  it('counts the bytes of the old and the new process once each, and calls it a restart', async () => {
    makeFiles(path.join(work, 'sa1'), [['a.mkv', 1_000_000]]);
    await rclone.waitJob(await rclone.copy(path.join(work, 'sa1'), ':memory:bucket'));
    const first = await statsBytes();
    expect(first).toBe(1_000_000);
    await waitFor('the first run in live.json', () => live().instances[0]!.bytes === first, 30_000);

    // The next SA: a new process on the same port, which moves more than the last before plowboard looks again.
    await rclone.stop();
    await rclone.start(rclone.port);
    makeFiles(path.join(work, 'sa2'), [['b.mkv', 1_500_000], ['c.mkv', 1_500_000]]);
    await rclone.waitJob(await rclone.copy(path.join(work, 'sa2'), ':memory:bucket'));
    const second = await statsBytes();
    expect(second).toBe(3_000_000);

    const inst = await waitFor('the second run in live.json', () => {
      const i = live().instances[0]!;
      return i.bytes === second ? i : null;
    }, 30_000);
    expect(inst.countersRestarted?.reason).toBe('restart');
    // History is sampled every 5 s.
    await waitFor(`history to hold ${first + second} bytes`, () => historyBytes() === first + second, 30_000, 250);
    await new Promise((r) => setTimeout(r, 5500));
    expect(historyBytes()).toBe(first + second);
    // The rate at the restart is what the new rclone moved over the time since the last
    // reading (at least one 2 s interval), never more: no spike.
    const atRestart = live().throughput.points.find((p) => p.t === inst.countersRestarted!.at);
    expect(atRestart).toBeDefined();
    expect(atRestart!.bytesPerSecond).toBeLessThanOrEqual(second / 2);
  });
});
