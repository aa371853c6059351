import { describe, expect, it } from 'vitest';
import type { Transfer } from '../../sidecar/contract/index.js';
import { buildSession, type SessionInput } from '../../sidecar/normalize/session.js';
import { transferRecord } from '../helpers/fixtures.js';

const now = Date.UTC(2026, 10, 22, 12, 0, 0);
const sec = (ms: number) => ms / 1000;
const start = now - 3600_000;

const forkFile = (over: Record<string, unknown> = {}) => ({
  active: true,
  uploader: 'google',
  total_sas: 12,
  sa_index: 2,
  current_sa: '3.json',
  stage: 2,
  total_stages: 0,
  session_start: '2026-11-22 11:00:00',
  session_start_time: sec(start),
  upload_folder: '/mnt/local/Media',
  sas_used: ['1.json', '2.json', '3.json', '3.json'],
  total_files: 10,
  total_bytes: 10_000,
  // The fork counts every file twice: these must not be believed.
  transferred_files: 8,
  transferred_bytes: 8_000,
  stage_params: { strategy: 'moderate_mid_sa', max_transfer: '300G', max_size: '200G', transfers: 4, order_by: 'size,desc', max_backlog: 1000 },
  ...over,
});

const transfer = (name: string, atMs: number, bytes: number, ok = true): Transfer =>
  transferRecord(name, new Date(atMs).toISOString(), { size: bytes, bytes, ok, error: ok ? null : 'boom' });

const idleRclone = { reachable: false, inFlight: 0, checking: 0, bytesInFlight: 0, totalBytes: 0, totalFiles: 0, etaSeconds: null };
const input = (over: Partial<SessionInput> = {}): SessionInput => ({
  now,
  stateFile: forkFile(),
  logSession: null,
  lastLogAtMs: null,
  lock: { present: false, sinceMs: null },
  rclone: idleRclone,
  transfers: [transfer('old.mkv', start - 1000, 999), transfer('a.mkv', start + 60_000, 1000), transfer('b.mkv', start + 120_000, 2000), transfer('bad.mkv', start + 130_000, 0, false)],
  ...over,
});

describe('the upload session', () => {
  it('takes progress from finished transfers, not the fork’s double-counted figures', () => {
    const s = buildSession(input())!;
    expect(s.files).toEqual({ done: 2, total: 10 });
    expect(s.bytes).toEqual({ done: 3000, total: 10_000 });
  });

  it('does not believe a stale active: true after a normal finish, and stops the clock', () => {
    const s = buildSession(input())!;
    expect(s.flagActive).toBe(true);
    expect(s.active).toBe(false);
    expect(s.evidence).toContain('rclone is not running');
    // The session ended with its last finished transfer; duration does not grow with time.
    expect(s.endedAt).toBe(new Date(start + 120_000).toISOString());
    expect(s.durationSeconds).toBe(120);
    expect(buildSession({ ...input(), now: now + 3600_000 })!.durationSeconds).toBe(120);
    expect(s.etaSeconds).toBeNull();
  });

  it('is active while rclone is busy, with live bytes and an ETA', () => {
    const s = buildSession(input({ rclone: { reachable: true, inFlight: 2, checking: 0, bytesInFlight: 500, totalBytes: 10_000, totalFiles: 10, etaSeconds: 42 } }))!;
    expect(s.active).toBe(true);
    expect(s.endedAt).toBeNull();
    expect(s.bytes.done).toBe(3500);
    expect(s.etaSeconds).toBe(42);
    expect(s.durationSeconds).toBe(3600);
  });

  it('is active while rclone scans the source before its first upload (the long listing that looked stuck)', () => {
    const rclone = { reachable: true, inFlight: 0, checking: 0, bytesInFlight: 0, totalBytes: 0, totalFiles: 0, etaSeconds: null };
    const scanning = buildSession(input({ rclone: { ...rclone, scanning: true } }))!;
    expect(scanning.active).toBe(true);
    expect(scanning.evidence).toContain('rclone is scanning the source');
    expect(buildSession(input({ rclone }))!.evidence).toContain('rclone answers but moves nothing');
  });

  it('counts the session’s total as earlier rclone runs’ done plus this run’s total, so done never passes it', () => {
    // The session finished 2 files; this SA's rclone 1 of its 4: one came from an earlier rclone.
    const files = (total: number, done: number) => buildSession(input({ stateFile: null, logSession: { uploader: 'google', startedAtMs: start, account: '2.json', accountsUsed: ['1.json', '2.json'], accountsAvailable: 5, finishedAtMs: null }, rclone: { reachable: true, inFlight: 1, checking: 0, bytesInFlight: 0, totalBytes: 4000, totalFiles: total, etaSeconds: null, doneFiles: done, doneBytes: 1000 } }))!;
    const s = files(4, 1);
    expect(s.files).toEqual({ done: 2, total: 5 });
    expect(s.files.done).toBeLessThanOrEqual(s.files.total!);
  });

  it('does not let the fork’s left-over active flag decide: no rclone, no lock, and it is not active', () => {
    const stale = buildSession(input({ stateFile: forkFile({ active: true }), lastLogAtMs: now - 30_000, lock: { present: false, sinceMs: null } }))!;
    expect(stale.active).toBe(false);
    expect(stale.evidence).toContain('the session file says active');
    // Where the lock folder cannot be seen at all, the flag with a recent log line still counts.
    expect(buildSession(input({ stateFile: forkFile({ active: true }), lastLogAtMs: now - 30_000, lock: null }))!.active).toBe(true);
  });

  it('does not count a lock file whose cloudplow is gone (killed, crashed)', () => {
    const s = buildSession(input({ stateFile: null, logSession: { uploader: 'google', startedAtMs: start, account: '1.json', accountsUsed: ['1.json'], accountsAvailable: 2, finishedAtMs: null }, lock: { present: true, sinceMs: start, ownerRunning: false }, lastLogAtMs: now - 20_000 }))!;
    expect(s.active).toBe(false);
    expect(s.evidence).toContain('the upload lock file is left over: no cloudplow process runs');
    // Where /proc cannot be seen, the lock still counts.
    expect(buildSession(input({ stateFile: null, logSession: { uploader: 'google', startedAtMs: start, account: '1.json', accountsUsed: ['1.json'], accountsAvailable: 2, finishedAtMs: null }, lock: { present: true, sinceMs: start, ownerRunning: null }, lastLogAtMs: now - 20_000 }))!.active).toBe(true);
  });

  it('is active with the lock file and recent log lines even between two rclone runs', () => {
    const s = buildSession(input({ lock: { present: true, sinceMs: start }, lastLogAtMs: now - 30_000 }))!;
    expect(s.active).toBe(true);
    expect(s.evidence).toContain('the upload lock file is present');
  });

  it('reads SA n of m, stage and its parameters, and used SAs once each', () => {
    const s = buildSession(input())!;
    expect(s.account).toEqual({ index: 3, of: 12, name: '3.json' });
    expect(s.accountsUsed).toEqual(['1.json', '2.json', '3.json']);
    expect(s.stage).toEqual({ number: 2, params: { strategy: 'moderate_mid_sa', maxTransfer: '300G', maxSize: '200G', transfers: 4, orderBy: 'size,desc', maxBacklog: 1000 } });
  });

  it('uses the end the fork wrote when it wrote one', () => {
    const s = buildSession(input({ stateFile: forkFile({ active: false, session_end_time: sec(start + 1800_000), total_duration_seconds: 1800 }) }))!;
    expect(s.active).toBe(false);
    expect(s.durationSeconds).toBe(1800);
  });

  it('builds the session from the log for upstream cloudplow, and prefers a newer log over a left-over file', () => {
    const logSession = { uploader: 'google', startedAtMs: now - 600_000, account: '/opt/sa/7.json', accountsUsed: ['6.json', '7.json'], accountsAvailable: 9, finishedAtMs: null };
    const upstream = buildSession(input({ stateFile: null, logSession, lastLogAtMs: now - 10_000, lock: { present: true, sinceMs: now - 600_000 } }))!;
    expect(upstream).toMatchObject({ uploader: 'google', active: true, from: 'cloudplow.log', account: { index: null, of: 9, name: '7.json' }, accountsUsed: ['6.json', '7.json'] });
    // With cloudplow's order of the SAs it picks from, the SA's place in it.
    const order = () => ['2.json', '3.json', '6.json', '7.json', '10.json'];
    expect(buildSession(input({ stateFile: null, logSession, accountOrder: order }))!.account).toEqual({ index: 4, of: 9, name: '7.json' });
    const newer = buildSession(input({ logSession }))!;
    expect(newer.from).toBe('cloudplow.log');
    expect(buildSession(input({ stateFile: null }))).toBeNull();
  });
  it('shows the fork’s own figures beside plowboard’s where they contradict, and which is which', () => {
    const s = buildSession(input({ stateFile: forkFile({ transferred_files: 4, transferred_bytes: 6000, total_duration_seconds: 16_140 }) }))!;
    expect(s.files.done).toBe(2);
    expect(s.bytes.done).toBe(3000);
    expect(s.forkSays).toEqual({
      files: 4,
      bytes: 6000,
      durationSeconds: 16_140,
      differences: [
        'it counts 4 files done where 2 finished',
        'it counts 5.86 KiB where 2.93 KiB moved',
        'it says the session took 4 h 29 min, not 2 min',
        'it still says active, so its dashboard counts the time, and the average speed, up to now',
      ],
    });
  });

  it('does not call the fork’s counters wrong while they trail a running upload (it saves every tenth file)', () => {
    const busy = { ...idleRclone, reachable: true, inFlight: 2, bytesInFlight: 0 };
    const s = buildSession(input({ rclone: busy, stateFile: forkFile({ transferred_files: 1, transferred_bytes: 1000 }) }))!;
    expect(s.active).toBe(true);
    expect(s.forkSays).toEqual({ files: 1, bytes: 1000, durationSeconds: null, differences: [] });
    // Past plowboard's count it is wrong even while running.
    const twice = buildSession(input({ rclone: busy, stateFile: forkFile({ transferred_files: 4, transferred_bytes: 6000 }) }))!;
    expect(twice.forkSays!.differences).toEqual(['it counts 4 files done where 2 finished', 'it counts 5.86 KiB where 2.93 KiB moved']);
  });

  it('has no fork figures for a session read from upstream’s log', () => {
    const log = { uploader: 'google', startedAtMs: start, account: '1.json', accountsUsed: ['1.json'], accountsAvailable: 2, finishedAtMs: null };
    expect(buildSession(input({ stateFile: null, logSession: log }))!.forkSays).toBeNull();
  });
});
