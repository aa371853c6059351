import { describe, expect, it } from 'vitest';
import { normalizeStats } from '../../sidecar/normalize/rcloneStats.js';
import { normalizeTransferred } from '../../sidecar/normalize/rcloneTransferred.js';
import { classifyRcAnswer } from '../../sidecar/sources/rcResponse.js';
import { rcloneFixture, rcloneFixtureText } from '../helpers/fixtures.js';

describe('core/stats normalization', () => {
  it('reads in-flight transfers with their bytes, size and progress', () => {
    const s = normalizeStats(rcloneFixture('core-stats-transferring.json'), 'main')!;
    expect(s.transferring.map((t) => t.name)).toEqual(['clip_10.mkv', 'clip_3.mkv', 'clip_4.mkv']);
    const clip = s.transferring[0]!;
    expect(clip).toMatchObject({ instance: 'main', bytes: 1110016, size: 2114600, group: 'job/16', eta: 2 });
    expect(clip.percentage).toBeCloseTo((1110016 / 2114600) * 100, 0);
    expect(s.totalBytes).toBe(23381000);
    expect(s.checks).toBe(2);
  });

  it('reads an idle rclone as nothing in flight and an unknown ETA', () => {
    const s = normalizeStats(rcloneFixture('core-stats-idle.json'), 'main')!;
    expect(s.transferring).toEqual([]);
    expect(s.checking).toEqual([]);
    expect(s.eta).toBeNull();
    expect(s.lastError).toBeNull();
  });

  it('keeps a file name with markup as the exact text rclone sent', () => {
    const s = normalizeStats(rcloneFixture('core-stats-transferring-html-name.json'), 'main')!;
    expect(s.transferring[0]!.name).toBe('Film (2019) <img src=x onerror=alert(1)> – ünïcode.mkv');
    expect(s.transferring[1]!.eta).toBeNull();
  });

  it('keeps fields newer rclone versions add and ignores unknown ones', () => {
    const raw = {
      ...(rcloneFixture('core-stats-transferring.json') as object),
      listed: 42,
      serverSideCopies: 3,
      somethingFromTheFuture: { deep: [1, 2] },
      transferring: [{ name: 'a.mkv', size: 10, bytes: 5, srcFs: '/local', dstFs: 'gdrive:', newThing: true }],
    };
    const s = normalizeStats(raw, 'main')!;
    expect(s.listed).toBe(42);
    expect(s.transferring[0]).toMatchObject({ name: 'a.mkv', srcFs: '/local', dstFs: 'gdrive:', percentage: 50 });
  });

  it('tolerates wrong types and unknown sizes instead of throwing', () => {
    const s = normalizeStats({ bytes: 'x', eta: -1, transferring: [{ name: 'n', size: -1, bytes: 7, percentage: 250 }, { size: 3 }, 'junk'], checking: ['c', { name: 'd' }, 5] }, 'm')!;
    expect(s.bytes).toBe(0);
    expect(s.transferring).toHaveLength(1);
    expect(s.transferring[0]).toMatchObject({ size: null, bytes: 7, percentage: 100 });
    expect(s.checking).toEqual(['c', 'd']);
    expect(normalizeStats([1, 2], 'm')).toBeNull();
  });
});

describe('core/transferred normalization', () => {
  it('drops pure checks and keeps copies with their durations and speeds', () => {
    const list = normalizeTransferred(rcloneFixture('core-transferred.json'), 'main');
    expect(list.map((t) => t.name)).not.toContain('clip_1.mkv');
    const clip = list.find((t) => t.name === 'clip_10.mkv')!;
    expect(clip).toMatchObject({ ok: true, error: null, bytes: 2114600, instance: 'main', source: 'rclone', checked: false });
    expect(clip.startedAt).toBe('2026-11-22T14:51:29.211Z');
    expect(clip.durationSeconds).toBeCloseTo(5.934, 2);
    expect(clip.avgSpeed).toBeCloseTo(2114600 / 5.934, -3);
  });

  it('shows a failed transfer with its error', () => {
    const list = normalizeTransferred(rcloneFixture('core-transferred-with-error.json'), 'main');
    const failed = list.find((t) => t.name === 'conflict.mkv')!;
    expect(failed.ok).toBe(false);
    expect(failed.error).toBe('open /data/dst3/conflict.mkv: is a directory');
  });

  it('gives the same transfer the same id on every poll, and different transfers different ids', () => {
    const a = normalizeTransferred(rcloneFixture('core-transferred.json'), 'main');
    const b = normalizeTransferred(rcloneFixture('core-transferred.json'), 'main');
    expect(a.map((t) => t.id)).toEqual(b.map((t) => t.id));
    expect(new Set(a.map((t) => t.id)).size).toBe(a.length);
    const other = normalizeTransferred(rcloneFixture('core-transferred.json'), 'second');
    expect(other[0]!.id).not.toBe(a[0]!.id);
  });
});

describe('RC answers', () => {
  it('reads the 401 text body as auth failed', () => {
    const r = classifyRcAnswer(401, rcloneFixtureText('unauthorized.txt'), 'core/stats');
    expect(r.kind).toBe('auth_failed');
  });

  it("reads rclone's JSON error bodies as errors with rclone's message", () => {
    const r404 = classifyRcAnswer(404, rcloneFixtureText('error-404.json'), 'nope');
    expect(r404).toEqual({ kind: 'error', message: 'HTTP 404 from nope: couldn\'t find method "nope"' });
    const r400 = classifyRcAnswer(400, rcloneFixtureText('error-400.json'), 'core/stats');
    expect(r400.kind).toBe('error');
    expect((r400 as { message: string }).message).toContain('failed to read input JSON');
  });

  it('reads a non-JSON or 5xx answer as an error, and a good answer as ok', () => {
    expect(classifyRcAnswer(200, '<html>proxy</html>', 'core/stats').kind).toBe('error');
    expect(classifyRcAnswer(502, 'Bad Gateway', 'core/stats').kind).toBe('error');
    expect(classifyRcAnswer(500, '{"x":1}', 'core/stats').kind).toBe('error');
    const ok = classifyRcAnswer(200, rcloneFixtureText('core-stats-idle.json'), 'core/stats');
    expect(ok.kind).toBe('ok');
  });
});
