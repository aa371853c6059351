import { describe, expect, it } from 'vitest';
import { normalizeStats } from '../../sidecar/normalize/rcloneStats.js';
import { classifyRcAnswer } from '../../sidecar/sources/rcResponse.js';
import type { RclonePoll } from '../../sidecar/sources/rclone.js';
import { LiveView } from '../../sidecar/state/liveView.js';
import { STALL_MS } from '../../sidecar/state/stalls.js';
import { ThroughputTracker } from '../../sidecar/state/throughput.js';

const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
const item = (name: string, bytes: number, eta: number | null) => ({ name, size: 4_000_000, bytes, eta, group: 'job/1', speed: 2000, speedAvg: 0.03, percentage: 25 });
const poll = (instance: string, ms: number, raw: object | null, version: number[] | null = [1, 75, 2]): RclonePoll => ({
  instance,
  at: new Date(T0 + ms),
  stats: raw ? normalizeStats(raw, instance) : null,
  transferred: [],
  executeId: null,
  version,
});
const stats = (over: object = {}) => ({ bytes: 0, totalBytes: 0, transfers: 0, totalTransfers: 0, elapsedTime: 100, eta: null, ...over });

describe('what newer rclone says, in live.json', () => {
  it('reads the stall ETA sentinel of rclone 1.62+ as unknown, per file and in the total', () => {
    const s = normalizeStats(stats({ eta: 9223372036, transferring: [item('stuck.mkv', 1_000_000, 9223372036)] }), 'm')!;
    expect(s.eta).toBeNull();
    expect(s.transferring[0]!.eta).toBeNull();
  });

  it('calls a file stalled once its bytes stop moving, and drops its ETA of months', () => {
    const view = new LiveView(['m'], new ThroughputTracker(600));
    // rclone's decaying average gives a stalled file an ETA of days, then years.
    view.apply(poll('m', 0, stats({ bytes: 1_000_000, transferring: [item('stuck.mkv', 1_000_000, 4822)] })), 'ok');
    let f = view.toLive('x').instances[0]!.transferring[0]!;
    expect(f.stalledSince).toBeUndefined();
    view.apply(poll('m', STALL_MS + 1000, stats({ bytes: 1_000_000, eta: 1, transferring: [item('stuck.mkv', 1_000_000, 11_134_709)] })), 'ok');
    const inst = view.toLive('x').instances[0]!;
    f = inst.transferring[0]!;
    expect(f.stalledSince).toBe(new Date(T0).toISOString());
    expect(f.eta).toBeNull();
    // rclone's global ETA divides by a speed that holds its last value: nothing moves, so unknown.
    expect(inst.eta).toBeNull();
    // Bytes move again: no longer stalled.
    view.apply(poll('m', STALL_MS + 3000, stats({ bytes: 1_200_000, transferring: [item('stuck.mkv', 1_200_000, 60)] })), 'ok');
    expect(view.toLive('x').instances[0]!.transferring[0]).toMatchObject({ eta: 60 });
    expect(view.toLive('x').instances[0]!.transferring[0]!.stalledSince).toBeUndefined();
  });

  it('lets one stalled instance leave the others’ ETA standing in the total', () => {
    const view = new LiveView(['a', 'b'], new ThroughputTracker(600));
    view.apply(poll('a', 0, stats({ eta: 9223372036, transferring: [item('x', 5, 9223372036)] })), 'ok');
    view.apply(poll('b', 0, stats({ eta: 120, transferring: [item('y', 5, 120)] })), 'ok');
    expect(view.toLive('x').total.eta).toBe(120);
  });

  it('says scanning while listed rises with nothing in flight (rclone 1.70+), idle once it stops', () => {
    const view = new LiveView(['m'], new ThroughputTracker(600));
    const phase = () => view.toLive('x').instances[0]!.phase;
    view.apply(poll('m', 0, stats({ listed: 100 })), 'ok');
    expect(phase()).toBe('idle');
    // A count that stays is no scan, however recently it was first read.
    view.apply(poll('m', 1000, stats({ listed: 100 })), 'ok');
    expect(phase()).toBe('idle');
    view.apply(poll('m', 2000, stats({ listed: 900 })), 'ok');
    expect(phase()).toBe('scanning');
    expect(view.toLive('x').total.activeInstances).toBe(1);
    view.apply(poll('m', 30_000, stats({ listed: 900 })), 'ok');
    expect(phase()).toBe('idle');
    // Listing that went on while files moved is not a scan once they are done.
    const after = new LiveView(['m'], new ThroughputTracker(600));
    after.apply(poll('m', 0, stats({ listed: 100, transferring: [item('x', 5, 10)] })), 'ok');
    after.apply(poll('m', 2000, stats({ listed: 400, transferring: [item('x', 9, 10)] })), 'ok');
    after.apply(poll('m', 4000, stats({ listed: 400 })), 'ok');
    expect(after.toLive('x').instances[0]!.phase).toBe('idle');
    // rclone 1.60 has no listed: never scanning.
    const old = new LiveView(['m'], new ThroughputTracker(600));
    old.apply(poll('m', 0, stats(), [1, 60, 1]), 'ok');
    old.apply(poll('m', 2000, stats(), [1, 60, 1]), 'ok');
    expect(old.toLive('x').instances[0]!.phase).toBe('idle');
  });

  it('counts queued files, exact from rclone 1.73.1, a lower bound before', () => {
    const raw = stats({ totalTransfers: 10, transfers: 3, renames: 3, deletes: 3, transferTime: 4, bytes: 8_000_000, transferring: [item('a', 1, 5), item('b', 1, 5)] });
    const v175 = new LiveView(['m'], new ThroughputTracker(600));
    v175.apply(poll('m', 0, raw), 'ok');
    expect(v175.toLive('x').total).toMatchObject({ queued: 5, queuedExact: true, moved: 3, removedFromSource: 3 });
    expect(v175.toLive('x').instances[0]!.uploadSpeedAvg).toBe(2_000_000);
    const v160 = new LiveView(['m'], new ThroughputTracker(600));
    v160.apply(poll('m', 0, { ...raw, transferTime: 0 }, [1, 60, 1]), 'ok');
    expect(v160.toLive('x').total).toMatchObject({ queued: 5, queuedExact: false });
    // transferTime is always 0 before 1.64: no average is made up from it.
    expect(v160.toLive('x').instances[0]!.uploadSpeedAvg).toBeUndefined();
  });

  it('marks when the counters started over', () => {
    const view = new LiveView(['m'], new ThroughputTracker(600));
    view.apply(poll('m', 0, stats({ bytes: 5000, elapsedTime: 50 })), 'ok');
    view.apply(poll('m', 2000, null), 'idle');
    view.apply(poll('m', 4000, stats({ bytes: 100, elapsedTime: 0.5 })), 'ok');
    expect(view.toLive('x').instances[0]!.countersRestarted).toEqual({ at: new Date(T0 + 4000).toISOString(), reason: 'restart' });
  });
});

describe('RC answers that refuse', () => {
  it('tells a refused password (401, plain text) from a method that needs RC auth (rclone 1.74+: 403 with a JSON error)', () => {
    expect(classifyRcAnswer(401, 'Unauthorized\n', 'core/stats')).toMatchObject({ kind: 'auth_failed' });
    const body = JSON.stringify({
      error: 'authentication must be set up on the rc server to use "job/list" or the --rc-no-auth flag must be in use',
      input: {},
      path: 'job/list',
      status: 403,
    });
    const a = classifyRcAnswer(403, body, 'job/list');
    expect(a.kind).toBe('auth_required');
    expect(a.kind !== 'ok' && a.message).toContain('authentication must be set up');
    // A 403 with no JSON (a proxy in front) is still a refusal of credentials.
    expect(classifyRcAnswer(403, 'Forbidden', 'core/stats')).toMatchObject({ kind: 'auth_failed' });
  });
});
