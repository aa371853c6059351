import { describe, expect, it } from 'vitest';
import type { RcloneStats } from '../../sidecar/normalize/rcloneStats.js';
import { ThroughputTracker } from '../../sidecar/state/throughput.js';

const stats = (bytes: number, speeds: number[] = []): RcloneStats => ({
  bytes,
  totalBytes: 0,
  speedAvg: 0,
  eta: null,
  transfers: 0,
  totalTransfers: 0,
  checks: 0,
  totalChecks: 0,
  errors: 0,
  lastError: null,
  fatalError: false,
  retryError: false,
  elapsedTime: 0,
  transferring: speeds.map((speed, i) => ({ instance: 'm', name: `${i}`, size: 1, bytes: 0, percentage: 0, speed, speedAvg: 0, eta: null, group: null })),
  checking: [],
});
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

describe('throughput', () => {
  it('is the change in bytes between polls, falling back to in-flight speeds', () => {
    const tr = new ThroughputTracker(600);
    expect(tr.observe('m', at(0), stats(0, [100, 50]))).toEqual({ rate: 150, bytesMoved: 0 });
    expect(tr.observe('m', at(2), stats(2000))).toEqual({ rate: 1000, bytesMoved: 2000 });
    // rclone restarted: the counter went back, and the new process counted from zero.
    expect(tr.observe('m', at(4), stats(10, [7]))).toEqual({ rate: 7, bytesMoved: 10 });
  });

  it('adds a point only when the rate changes, and drops to zero when rclone goes away', () => {
    const tr = new ThroughputTracker(600);
    tr.observe('m', at(0), stats(0));
    tr.observe('m', at(2), stats(0));
    tr.observe('m', at(4), stats(0));
    expect(tr.series()).toHaveLength(1);
    tr.observe('m', at(6), stats(600));
    tr.observe('m', at(8), null);
    expect(tr.series().map((p) => p.bytesPerSecond)).toEqual([0, 300, 0]);
  });

  it('keeps the window bounded but holds each instance’s last value', () => {
    const tr = new ThroughputTracker(10);
    for (let s = 0; s <= 100; s += 2) tr.observe('m', at(s), stats(s * s * 100));
    const pts = tr.series();
    expect(pts.length).toBeLessThanOrEqual(7);
    tr.observe('m', at(500), stats(100 * 100 * 100));
    expect(tr.series()).toHaveLength(2);
  });
});
