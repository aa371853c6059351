import { describe, expect, it } from 'vitest';
import { normalizeStats } from '../../sidecar/normalize/rcloneStats.js';
import { normalizeTransferred } from '../../sidecar/normalize/rcloneTransferred.js';
import { classifyRcAnswer } from '../../sidecar/sources/rcResponse.js';
import { TransferLog } from '../../sidecar/state/transferLog.js';
import { ThroughputTracker } from '../../sidecar/state/throughput.js';
import { RECORDED_RCLONES, rcloneFixture, rcloneFixtureText } from '../helpers/fixtures.js';

const at = (s: number) => new Date(Date.UTC(2026, 11, 2, 10, 0, s));
const executeId = (v: (typeof RECORDED_RCLONES)[number], file: string) => ((rcloneFixture(file, v) as { executeId?: string }).executeId ?? null);

/** The same situations recorded from rclone 1.60.1 and 1.75.2 (test/fixtures/rclone-*), read the same way. */
describe.each(RECORDED_RCLONES)('recorded rclone %s', (v) => {
  it('a move of 3 files is 3 uploads, each with its bytes', () => {
    const log = new TransferLog(100);
    const added = log.add(normalizeTransferred(rcloneFixture('core-transferred-move.json', v), 'm'));
    expect(added).toHaveLength(3);
    expect(added.every((t) => t.ok && t.bytes > 0 && t.bytes === t.size && !t.serverSide)).toBe(true);
    const stats = normalizeStats(rcloneFixture('core-stats-move-after.json', v), 'm')!;
    expect(stats).toMatchObject({ transfers: 3, renames: 3, deletes: 3 });
    expect(added.reduce((n, t) => n + t.bytes, 0)).toBe(stats.bytes);
  });

  it('a failed move is one failure, with its error and the bytes it got to', () => {
    const log = new TransferLog(100);
    const added = log.add(normalizeTransferred(rcloneFixture('core-transferred-move-failed.json', v), 'm'));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ ok: false, bytes: 2_093_056 });
    expect(added[0]!.error).toMatch(/source file is being updated/);
  });

  it('a server-side move is one record per file, marked, with nothing uploaded', () => {
    const added = new TransferLog(100).add(normalizeTransferred(rcloneFixture('core-transferred-server-side-move.json', v), 'm'));
    expect(added.map((t) => [t.name, t.size, t.bytes, t.serverSide])).toEqual([
      ['Show/Episode 1.mkv', 300_000, 0, true],
      ['Show/Episode 2.mkv', 301_000, 0, true],
      ['Show/Episode 3.mkv', 302_000, 0, true],
    ]);
  });

  it('a file stalled for 320 s has no ETA (1.75: the 9223372036 sentinel; 1.60: an overflow to a negative fraction)', () => {
    const s = normalizeStats(rcloneFixture('core-stats-stalled.json', v), 'm')!;
    expect(s.eta).toBeNull();
    expect(s.transferring).toHaveLength(1);
    expect(s.transferring[0]!.eta).toBeNull();
  });

  it('reads in-flight files with their current rate and their average apart, and the remote where 1.66+ names it', () => {
    const raw = rcloneFixture('core-stats-move-transferring.json', v) as { transferring: Array<{ speed: number; speedAvg: number }> };
    const s = normalizeStats(raw, 'm')!;
    expect(s.transferring.map((t) => [t.speed, t.speedAvg])).toEqual(raw.transferring.map((t) => [t.speed, t.speedAvg]));
    expect(s.transferring.every((t) => (v === '1.75' ? t.dstFs === ':memory:bucket' : t.dstFs === undefined))).toBe(true);
    expect(s.listed === undefined).toBe(v === '1.60');
  });

  it('tells a restart from the recorded answers before and after it', () => {
    const tr = new ThroughputTracker(600);
    const before = normalizeStats(rcloneFixture('core-stats-before-restart.json', v), 'm')!;
    const after = normalizeStats(rcloneFixture('core-stats-after-restart.json', v), 'm')!;
    tr.observe('m', at(0), before, executeId(v, 'job-list-before-restart.json'));
    // The RC went away while rclone restarted; the new one moved as much as the old.
    tr.observe('m', at(2), null);
    expect(tr.observe('m', at(4), after, executeId(v, 'job-list-after-restart.json'))).toMatchObject({ startedOver: 'restart', bytesMoved: after.bytes });
  });

  it('an idle rclone: nothing in flight, no ETA', () => {
    const s = normalizeStats(rcloneFixture('core-stats-idle.json', v), 'm')!;
    expect(s).toMatchObject({ transferring: [], checking: [], eta: null, bytes: 0 });
    expect(normalizeTransferred(rcloneFixture('core-transferred-idle.json', v), 'm')).toEqual([]);
  });

  it('a refused password is auth_failed; a call that needs RC auth (1.74+) is auth_required', () => {
    expect(classifyRcAnswer(401, rcloneFixtureText('unauthorized.txt', v), 'core/stats').kind).toBe('auth_failed');
    if (v === '1.75') {
      expect(classifyRcAnswer(403, rcloneFixtureText('error-403-auth-required.json', v), 'job/list').kind).toBe('auth_required');
    } else {
      // 1.60 answers job/list without any auth set up.
      expect(classifyRcAnswer(200, rcloneFixtureText('noauth-job-list.json', v), 'job/list').kind).toBe('ok');
    }
  });
});
