import { describe, expect, it } from 'vitest';
import type { RcloneStats } from '../../sidecar/normalize/rcloneStats.js';
import { ThroughputTracker } from '../../sidecar/state/throughput.js';

const stats = (bytes: number, speeds: number[] = [], elapsedTime = 0): RcloneStats => ({
  bytes,
  totalBytes: 0,
  speedAvg: 0,
  eta: null,
  transfers: 0,
  totalTransfers: 0,
  checks: 0,
  totalChecks: 0,
  errors: 0,
  renames: 0,
  deletes: 0,
  lastError: null,
  fatalError: false,
  retryError: false,
  elapsedTime,
  // rclone's per-file speed is the file's average; speedAvg its current rate, which the first reading uses.
  transferring: speeds.map((speedAvg, i) => ({ instance: 'm', name: `${i}`, size: 1, bytes: 0, percentage: 0, speed: 1, speedAvg, eta: null, group: null })),
  checking: [],
});
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

describe('throughput', () => {
  it('is the change in bytes between polls, falling back to the in-flight current rates on the first reading', () => {
    const tr = new ThroughputTracker(600);
    expect(tr.observe('m', at(0), stats(0, [100, 50], 10))).toEqual({ rate: 150, bytesMoved: 0, startedOver: null });
    expect(tr.observe('m', at(2), stats(2000, [], 12))).toEqual({ rate: 1000, bytesMoved: 2000, startedOver: null });
    // rclone restarted: the counter went back, and the new process counted from zero. The
    // rate is what moved over the time since the last reading, never the in-flight sum.
    expect(tr.observe('m', at(4), stats(10, [7000], 0.5))).toEqual({ rate: 5, bytesMoved: 10, startedOver: 'restart' });
  });

  it('counts every byte of a new rclone whose counter already passed the old one (cloudplow restarts rclone per SA)', () => {
    const tr = new ThroughputTracker(600);
    tr.observe('m', at(0), stats(1000, [], 30));
    // Within one interval: elapsedTime went back though bytes went up.
    expect(tr.observe('m', at(2), stats(5000, [], 1.2))).toEqual({ rate: 2500, bytesMoved: 5000, startedOver: 'restart' });
    // The RC went away between SAs, and the next rclone moved more than the last before its first poll (rclone 1.60: no executeId).
    tr.observe('m', at(4), null);
    tr.observe('m', at(6), null);
    expect(tr.observe('m', at(8), stats(9000, [], 1.5))).toEqual({ rate: 1500, bytesMoved: 9000, startedOver: 'restart' });
  });

  it('counts only the difference when the same rclone answers again after a gap', () => {
    const tr = new ThroughputTracker(600);
    tr.observe('m', at(0), stats(1000, [], 100));
    tr.observe('m', at(2), null);
    expect(tr.observe('m', at(10), stats(3000, [], 110))).toEqual({ rate: 200, bytesMoved: 2000, startedOver: null });
  });

  it('tells a restart from a reset by executeId (rclone 1.64+)', () => {
    const tr = new ThroughputTracker(600);
    tr.observe('m', at(0), stats(1000, [], 100), 'a');
    // A new process id is a restart even when no counter went back.
    expect(tr.observe('m', at(2), stats(4000, [], 150), 'b')).toMatchObject({ bytesMoved: 4000, startedOver: 'restart' });
    // Counters that went back in the same process are a reset.
    expect(tr.observe('m', at(4), stats(0, [], 0.1), 'b')).toMatchObject({ bytesMoved: 0, startedOver: 'reset' });
    // An id missing from a poll (job/list is asked only when it decides something) keeps the last one.
    expect(tr.observe('m', at(6), stats(500, [], 2.1))).toMatchObject({ bytesMoved: 500, startedOver: null });
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
