// The recorded rclone answers (test/tools/record-rclone-fixtures.py) hold the facts the
// sidecar relies on. These tests read only the JSON files, so a re-recording with a new
// rclone that breaks one of those facts fails here, next to the recording.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const read = (version: string, name: string): any => JSON.parse(readFileSync(path.join(fixtures, `rclone-${version}`, name), 'utf8'));
const text = (version: string, name: string): string => readFileSync(path.join(fixtures, `rclone-${version}`, name), 'utf8');

interface Transferred {
  name: string;
  size: number;
  bytes: number;
  checked: boolean;
  error: string;
  what?: string;
  started_at: string;
  completed_at: string;
  srcFs?: string;
  dstFs?: string;
}

const byName = (list: Transferred[]): Map<string, Transferred[]> => {
  const m = new Map<string, Transferred[]>();
  for (const t of list) m.set(t.name, [...(m.get(t.name) ?? []), t]);
  return m;
};
// started_at/completed_at carry nanoseconds; compare them as strings of equal shape.
const ns = (iso: string): bigint => {
  const [, date, frac = ''] = /^(.*?)(?:\.(\d+))?Z$/.exec(iso)!;
  return BigInt(Date.parse(`${date}Z`)) * 1_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9));
};

describe('rclone 1.75 recordings', () => {
  const index = read('1.75', 'index.json');

  it('a move: per file one copy entry, one enclosing outer entry with bytes 0, one deleting entry', () => {
    const { sizes } = index.files['core-transferred-move.json'].note as { sizes: Record<string, number> };
    const groups = byName(read('1.75', 'core-transferred-move.json').transferred);
    expect([...groups.keys()].sort()).toEqual(Object.keys(sizes).sort());
    for (const [name, entries] of groups) {
      const copy = entries.filter((t) => t.what === 'transferring' && t.bytes === sizes[name] && t.bytes === t.size);
      const outer = entries.filter((t) => t.what === 'transferring' && t.bytes === 0 && !t.checked);
      const deleting = entries.filter((t) => t.what === 'deleting');
      expect(entries).toHaveLength(3);
      expect(copy).toHaveLength(1);
      expect(outer).toHaveLength(1);
      expect(deleting).toHaveLength(1);
      expect(deleting[0]!.checked).toBe(true);
      expect(ns(outer[0]!.started_at) <= ns(copy[0]!.started_at)).toBe(true);
      expect(ns(outer[0]!.completed_at) >= ns(copy[0]!.completed_at)).toBe(true);
      expect(copy[0]!.srcFs).toBe('/data/move/local/Media');
      expect(copy[0]!.dstFs).toBe(':memory:bucket');
    }
  });

  it('a failed move: the same error on the outer entry and on the copy', () => {
    const list: Transferred[] = read('1.75', 'core-transferred-move-failed.json').transferred;
    expect(list).toHaveLength(2);
    expect(list.every((t) => /source file is being updated/.test(t.error))).toBe(true);
    expect(list.map((t) => t.bytes > 0).sort()).toEqual([false, true]);
    const status = read('1.75', 'job-status-move-failed.json');
    expect(status).toMatchObject({ finished: true, success: false });
    expect(status.error).toBe(list[0]!.error);
  });

  it('a server-side move records bytes 0 per file and the bytes in serverSideMoveBytes', () => {
    const list: Transferred[] = read('1.75', 'core-transferred-server-side-move.json').transferred;
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((t) => t.bytes === 0 && t.size > 0)).toBe(true);
    const stats = read('1.75', 'core-stats-server-side-move.json');
    expect(stats.serverSideMoves).toBe(list.length);
    expect(stats.serverSideMoveBytes).toBe(list.reduce((s, t) => s + t.size, 0));
  });

  it('a stalled transfer ends up with the "unknown" eta 9223372036; before it, an eta of days', () => {
    const stalled = read('1.75', 'core-stats-stalled.json');
    expect(stalled.transferring).toHaveLength(1);
    expect(stalled.transferring[0].eta).toBe(9223372036);
    const stalling = read('1.75', 'core-stats-stalling.json');
    expect(stalling.transferring[0].eta).toBeGreaterThanOrEqual(86_400);
    expect(stalling.transferring[0].eta).toBeLessThan(9223372036);
  });

  it('without --rc-user, job/list answers 403 with a JSON error', () => {
    const body = read('1.75', 'error-403-auth-required.json');
    expect(body.status).toBe(403);
    expect(body.error).toMatch(/authentication must be set up on the rc server/);
    expect(index.files['error-403-auth-required.json']).toMatchObject({ call: 'job/list', status: 403 });
    expect(index.files['error-403-auth-required.json'].contentType).toMatch(/^application\/json/);
    expect(index.files['noauth-core-stats.json'].status).toBe(200);
  });

  it('without credentials on an rcd with --rc-user: 401 text/plain, not JSON', () => {
    expect(index.files['unauthorized.txt'].status).toBe(401);
    expect(index.files['unauthorized.txt'].contentType).toMatch(/^text\/plain/);
    expect(() => JSON.parse(text('1.75', 'unauthorized.txt'))).toThrow();
  });

  it('job/list carries an executeId that changes when the rcd restarts', () => {
    const before = read('1.75', 'job-list-before-restart.json');
    const after = read('1.75', 'job-list-after-restart.json');
    expect(before.executeId).toMatch(/^[0-9a-f-]{36}$/);
    expect(after.executeId).toMatch(/^[0-9a-f-]{36}$/);
    expect(after.executeId).not.toBe(before.executeId);
    // Every RC call is a job: job/list itself is running while it answers.
    expect(after.runningIds.length).toBeGreaterThan(0);
  });
});

describe('rclone 1.60 recordings of the same situations', () => {
  it('a move: the enclosing entry is checked: true (1.75: checked: false, what: transferring)', () => {
    const groups = byName(read('1.60', 'core-transferred-move.json').transferred);
    expect(groups.size).toBe(3);
    for (const entries of groups.values()) {
      expect(entries).toHaveLength(3);
      expect(entries.filter((t) => !t.checked && t.bytes === t.size)).toHaveLength(1);
      expect(entries.filter((t) => t.checked && t.bytes === 0)).toHaveLength(2);
      expect(entries.every((t) => t.what === undefined)).toBe(true);
    }
  });

  it('without --rc-user, job/list works', () => {
    expect(Array.isArray(read('1.60', 'noauth-job-list.json').jobids)).toBe(true);
  });

  it('a stalled transfer never shows the 1.75 sentinel', () => {
    const stalled = read('1.60', 'core-stats-stalled.json');
    expect(stalled.transferring).toHaveLength(1);
    expect(stalled.transferring[0].eta).not.toBe(9223372036);
    // It overflows instead: a negative, fractional number of seconds.
    expect(stalled.transferring[0].eta).toBeLessThan(0);
    expect(read('1.60', 'core-stats-stalling.json').transferring[0].eta).toBeGreaterThanOrEqual(86_400);
  });
});

describe('every recording', () => {
  it('is well-formed, small, and holds no temporary path', () => {
    for (const version of ['1.60', '1.75']) {
      for (const name of readdirSync(path.join(fixtures, `rclone-${version}`))) {
        if (!name.endsWith('.json')) continue;
        const raw = text(version, name);
        expect(() => JSON.parse(raw), name).not.toThrow();
        expect(raw, name).not.toMatch(/\/tmp\/|rclone-rec-/);
        if (name !== 'index.json') expect(raw.split('\n').length, name).toBeLessThan(400);
      }
    }
  });
});
