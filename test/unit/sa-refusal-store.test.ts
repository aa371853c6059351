import { describe, expect, it } from 'vitest';
import { eventOf, parseLogLine } from '../../sidecar/normalize/cloudplowLog.js';
import { NO_CONTEXT, followRefusals, type Refusal, type SaContext } from '../../sidecar/normalize/saRefusals.js';
import { KEEP_MS, MAX_IDS, RefusalStore } from '../../sidecar/state/refusalStore.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const now = Date.UTC(2026, 11, 7, 12, 30, 0);

/** A line of cloudplow.log at a time (local, as cloudplow's asctime is). */
function logLine(atMs: number, logger: string, func: string, message: string): string {
  const d = new Date(atMs);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
  return `${stamp} - INFO       - ${logger.padEnd(20)} - ${func.padEnd(30)} - ${message}`;
}
const rcloneStamp = (atMs: number) => {
  const d = new Date(atMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};
const forbidden = (atMs: number, file: string) =>
  logLine(atMs, 'process', 'execute', `${rcloneStamp(atMs)} ERROR : ${file}: Failed to copy: googleapi: Error 403: User rate limit exceeded., userRateLimitExceeded`);

/** Reads lines as the log follower does and returns the refusals, in order. */
function read(lines: string[], ctx: SaContext = NO_CONTEXT): Refusal[] {
  const out: Refusal[] = [];
  for (const raw of lines) {
    const line = parseLogLine(raw);
    const r = followRefusals(ctx, line, eventOf(line));
    ctx = r.ctx;
    if (r.refusal) out.push(r.refusal);
  }
  return out;
}

/** A run of upstream cloudplow: SA 1.json answered 403 `hits` times, banned and cycled to 2.json. */
function run(startMs: number, hits: number): string[] {
  return [
    logLine(startMs, 'cloudplow', 'do_upload', 'Starting upload'),
    logLine(startMs + 1, 'uploader', 'upload', 'Using service account: /opt/sa/1.json'),
    logLine(startMs + 2, 'uploader', 'upload', "Uploading '/mnt/local/Media' to remote: google"),
    ...Array.from({ length: hits }, (_, i) => forbidden(startMs + 1000 * (i + 1), `Movies/f${i}.mkv`)),
    logLine(startMs + 60_000, 'uploader', '__logic', 'Tracked trigger Failed to copy: googleapi: Error 403: User rate limit exceeded has reached the maximum limit of 5 occurrences within 3600 seconds, aborting upload...'),
    logLine(startMs + 60_001, 'cloudplow', 'do_upload', 'Upload aborted due to trigger: Failed to copy: googleapi: Error 403: User rate limit exceeded being met, google is cycling to service_account file: /opt/sa/2.json'),
  ];
}

describe('refusals read from cloudplow.log', () => {
  it("attributes rclone's 403 lines to the SA in use and the cycle's ban to the SA before it; the trigger's own lines are not counted again", () => {
    const refusals = read(run(now - HOUR, 5));
    expect(refusals.map((r) => [r.kind, r.uploader, r.account])).toEqual([...Array(5).fill(['rate_limit', 'google', '1.json']), ['ban', 'google', '1.json']]);
    expect(new Set(refusals.map((r) => r.id)).size).toBe(6);
  });

  it('counts the same 403 printed twice in one millisecond twice, and a re-read of both not at all', () => {
    const lines = [...run(now - HOUR, 0).slice(0, 3), forbidden(now - 1000, 'a.mkv'), forbidden(now - 1000, 'a.mkv')];
    const store = new RefusalStore();
    expect(read(lines).filter((r) => store.add(r, now))).toHaveLength(2);
    expect(read(lines).filter((r) => store.add(r, now))).toHaveLength(0);
    expect(store.current(now).get('google')!.get('1.json')!.last24h.rateLimits).toBe(2);
  });

  it('does not attribute a 403 before any SA was named (a log that starts mid-run)', () => {
    expect(read([forbidden(now, 'a.mkv')])).toEqual([]);
  });

  it('counts "will continue … in N hours" as the ban of the last SA', () => {
    const lines = [
      logLine(now - 10_000, 'uploader', 'upload', 'Using service account: /opt/sa/7.json'),
      logLine(now - 9_000, 'uploader', 'upload', "Uploading '/mnt/local/Media' to remote: google"),
      logLine(now, 'cloudplow', 'do_upload', 'Upload aborted due to trigger: Failed to copy: googleapi: Error 403: User rate limit exceeded being met, google will continue automatic uploading normally in 25 hours'),
    ];
    expect(read(lines).map((r) => [r.kind, r.account])).toEqual([['ban', '7.json']]);
  });

  it('redacts secrets in the line it keeps', () => {
    const lines = [logLine(now - 2, 'uploader', 'upload', 'Using service account: /opt/sa/1.json'), logLine(now - 1, 'uploader', 'upload', "Uploading 'x' to remote: google"), forbidden(now, 'x --drive-client-secret=HUNTER2 y')];
    const [r] = read(lines);
    expect(r!.line).not.toContain('HUNTER2');
    expect(r!.line).toContain('[redacted]');
  });
});

describe('the refusal store', () => {
  it('counts by window: 24 h, 7 d and 30 d, and by UTC day', () => {
    const store = new RefusalStore();
    for (const r of [...read(run(now - 2 * HOUR, 3)), ...read(run(now - 3 * DAY, 2)), ...read(run(now - 20 * DAY, 4))]) store.add(r, now);
    const sa = store.current(now).get('google')!.get('1.json')!;
    expect(sa.last24h).toEqual({ rateLimits: 3, bans: 1 });
    expect(sa.last7d).toEqual({ rateLimits: 5, bans: 2 });
    expect(sa.last30d).toEqual({ rateLimits: 9, bans: 3 });
    expect(sa.days.map((d) => d.day)).toEqual([new Date(now - 20 * DAY).toISOString().slice(0, 10), new Date(now - 3 * DAY).toISOString().slice(0, 10), new Date(now - 2 * HOUR).toISOString().slice(0, 10)]);
    expect(sa.lastKind).toBe('ban');
    expect(sa.lastAt).toBe(new Date(now - 2 * HOUR + 60_001).toISOString());
    expect(sa.lastLine).toMatch(/^Upload aborted due to trigger: .* cycling to service_account file/);
  });

  it('does not count a line again when the log is read again (restart, rotation)', () => {
    const store = new RefusalStore();
    const lines = run(now - HOUR, 5);
    expect(read(lines).filter((r) => store.add(r, now))).toHaveLength(6);
    const first = store.current(now);
    // The whole file again, then what was appended: only the new lines count.
    expect(read([...lines, ...run(now - 1000 * 60, 2)]).filter((r) => store.add(r, now))).toHaveLength(3);
    const sa = store.current(now).get('google')!.get('1.json')!;
    expect(sa.last24h).toEqual({ rateLimits: 7, bans: 2 });
    expect(store.current(now)).not.toBe(first);
  });

  it('keeps the same view object while nothing moved within the hour, and a new one once a refusal leaves a window', () => {
    const store = new RefusalStore();
    for (const r of read(run(now - 23.5 * HOUR, 1))) store.add(r, now);
    const view = store.current(now);
    expect(store.current(now + 60_000)).toBe(view);
    const later = store.current(now + 2 * HOUR);
    expect(later).not.toBe(view);
    expect(later.get('google')!.get('1.json')!.last24h).toEqual({ rateLimits: 0, bans: 0 });
    expect(later.get('google')!.get('1.json')!.last7d).toEqual({ rateLimits: 1, bans: 1 });
  });

  it('prunes past 30 days: old hours, old line ids, and lines that old when read again', () => {
    const store = new RefusalStore();
    const old = read(run(now - 29 * DAY, 2));
    for (const r of old) store.add(r, now);
    const later = now + 2 * DAY;
    expect(store.current(later).size).toBe(0);
    expect(store.snapshot().accounts).toEqual({});
    expect(store.snapshot().seen).toEqual({});
    // The old lines read again from a log kept that long: outside the window, not counted.
    expect(old.filter((r) => store.add(r, later))).toEqual([]);
    expect(old.every((r) => r.atMs <= later - KEEP_MS)).toBe(true);
  });

  it('restores from its snapshot, counts and ids alike, so a re-read after a restart adds nothing', () => {
    const store = new RefusalStore();
    const lines = run(now - 5 * HOUR, 4);
    for (const r of read(lines)) store.add(r, now);
    const restored = RefusalStore.restore(JSON.parse(JSON.stringify(store.snapshot())), now);
    expect(restored.current(now)).toEqual(store.current(now));
    expect(read(lines).filter((r) => restored.add(r, now))).toEqual([]);
    expect(restored.current(now).get('google')!.get('1.json')!.last24h).toEqual({ rateLimits: 4, bans: 1 });
    expect(() => RefusalStore.restore({ version: 2 }, now)).toThrow();
  });

  it('stays bounded: past MAX_IDS the oldest ids go, and lines no newer than them count as seen', () => {
    const store = new RefusalStore();
    const start = now - 10 * DAY;
    const mk = (i: number): Refusal => ({ atMs: start + i * 1000, uploader: 'google', account: `${i % 100}.json`, kind: 'rate_limit', line: 'x', id: `id${i}` });
    for (let i = 0; i < MAX_IDS + 10; i++) store.add(mk(i), now);
    expect(Object.keys(store.snapshot().seen).length).toBeLessThanOrEqual(MAX_IDS);
    const total = () => [...store.current(now).get('google')!.values()].reduce((n, s) => n + s.last30d.rateLimits, 0);
    expect(total()).toBe(MAX_IDS + 10);
    // Every one of them read again: none counted twice.
    for (let i = 0; i < MAX_IDS + 10; i++) store.add(mk(i), now);
    expect(total()).toBe(MAX_IDS + 10);
  });
});
