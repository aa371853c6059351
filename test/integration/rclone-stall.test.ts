import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STALL_MS } from '../../sidecar/state/stalls.js';
import { waitFor } from '../helpers/ports.js';
import { RcloneDaemon } from '../helpers/rclone.js';
import { sidecarOnRclone, type RcloneSidecar } from '../helpers/sidecarOnRclone.js';
import { StallingHttp } from '../helpers/stallingHttp.js';

let work: string;
let rclone: RcloneDaemon;
let source: StallingHttp;
let sidecar: RcloneSidecar;

const live = () => sidecar.live();

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-stall-'));
  source = new StallingHttp('stuck.mkv', 4_000_000, 1_000_000);
  await source.start();
  rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  sidecar = await sidecarOnRclone(rclone, work, { interval: 1 });
}, 120_000);

afterAll(async () => {
  await sidecar?.proc.stop();
  await rclone?.stop();
  await source?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('a transfer whose source stops sending', () => {
  it('reads as stalled since its last byte, with no ETA, while rclone still counts it in flight', async () => {
    const r = await rclone.rc('sync/copy', { srcFs: `:http,url='${source.url}':`, dstFs: ':memory:bucket', _async: true });
    expect(r.ok, JSON.stringify(r.body)).toBe(true);
    const moving = await waitFor('the file in flight with its first bytes', () => {
      const f = live().instances[0]!.transferring.find((t) => t.name === 'stuck.mkv');
      return f && f.bytes > 0 ? f : null;
    }, 30_000, 250);
    expect(moving.stalledSince).toBeUndefined();
    const sawBytesAt = Date.now();
    // The rclone source stays ok: a stalled transfer is not a sick rclone (a poll timing out on a
    // loaded machine may happen, not the third of them once seen).
    const states: string[] = [];
    const stalled = await waitFor('stalled', () => {
      states.push(sidecar.rcloneHealth().state);
      const i = live().instances[0]!;
      const f = i.transferring.find((t) => t.name === 'stuck.mkv');
      return f?.stalledSince ? { i, f } : null;
    }, STALL_MS + 30_000, 250);
    expect(Date.now() - sawBytesAt).toBeGreaterThanOrEqual(STALL_MS - 2000);
    // Since about when the bytes stopped, not since plowboard noticed.
    expect(Date.parse(stalled.f.stalledSince!)).toBeLessThanOrEqual(sawBytesAt + 5000);
    expect(stalled.f.eta).toBeNull();
    expect(stalled.i.eta).toBeNull();
    expect(stalled.i.inFlight).toBe(1);
    expect(live().total.eta).toBeNull();
    expect(states.filter((st) => st !== 'ok').length).toBeLessThanOrEqual(states.length / 10);
  }, STALL_MS + 90_000);
});
