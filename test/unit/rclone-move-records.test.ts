import { describe, expect, it } from 'vitest';
import { normalizeTransferred } from '../../sidecar/normalize/rcloneTransferred.js';
import { TransferLog } from '../../sidecar/state/transferLog.js';

// Shapes as real rclone answered core/transferred on 2026-12-02 (names and paths shortened).
const at = (s: string) => `2026-12-02T04:39:${s}Z`;
const entry = (name: string, bytes: number, started: string, completed: string, extra: Record<string, unknown> = {}) => ({
  error: '',
  name,
  size: 3_000_000,
  bytes,
  checked: false,
  started_at: at(started),
  completed_at: at(completed),
  group: 'job/4',
  ...extra,
});

/** rclone 1.75.2, `sync/move` to `:memory:bucket`: outer move entry, its copy, the source delete. */
const moved175 = (name: string, s: number) => [
  entry(name, 0, `${s}.167858756`, `${s + 1}.969634095`, { what: 'transferring', srcFs: '/data/src', dstFs: ':memory:bucket' }),
  entry(name, 3_000_000, `${s}.167864725`, `${s + 1}.968923531`, { what: 'transferring', srcFs: '/data/src', dstFs: ':memory:bucket' }),
  entry(name, 0, `${s + 1}.968928308`, `${s + 1}.969633023`, { checked: true, what: 'deleting' }),
];
/** rclone 1.60.1, the same move: the outer entry and the delete are checks. */
const moved160 = (name: string, s: number) => [
  entry(name, 0, `${s}.069226588`, `${s + 3}.595870852`, { checked: true }),
  entry(name, 3_000_000, `${s}.069228931`, `${s + 3}.594514169`),
  entry(name, 0, `${s + 3}.594518856`, `${s + 3}.59586973`, { checked: true }),
];

const list = (...entries: object[][]) => ({ transferred: entries.flat() });

describe('rclone move records', () => {
  it.each([
    ['1.75.2', moved175],
    ['1.60.1', moved160],
  ])('counts each moved file once, with its bytes, on %s', (_v, moved) => {
    const log = new TransferLog(100);
    const added = log.add(normalizeTransferred(list(moved('a.mkv', 10), moved('b.mkv', 20), moved('c.mkv', 30)), 'main'));
    expect(added.map((t) => [t.name, t.bytes, t.ok])).toEqual([
      ['a.mkv', 3_000_000, true],
      ['b.mkv', 3_000_000, true],
      ['c.mkv', 3_000_000, true],
    ]);
    expect(log.list()).toHaveLength(3);
    expect(log.list().every((t) => !t.serverSide && !t.checked)).toBe(true);
  });

  it('folds the outer entry that arrives a poll after its copy, without counting it again', () => {
    const log = new TransferLog(100);
    const [outer, copy] = moved175('a.mkv', 10);
    expect(log.add(normalizeTransferred(list([copy!]), 'main'))).toHaveLength(1);
    // The next poll lists both (rclone keeps its last 100): nothing new.
    expect(log.add(normalizeTransferred(list([outer!, copy!]), 'main'))).toEqual([]);
    expect(log.list().map((t) => t.bytes)).toEqual([3_000_000]);
    // And a poll after that, or a restart of the sidecar re-reading the same list: still one.
    expect(log.add(normalizeTransferred(list(moved175('a.mkv', 10)), 'main'))).toEqual([]);
    expect(log.list()).toHaveLength(1);
  });

  it('counts a failed move once on both versions (the outer entry carries the error too)', () => {
    const err = "can't copy - source file is being updated (size changed from 2000000 to 2001000)";
    const v175 = [
      entry('f.bin', 0, '14.454520039', '15.440889603', { error: err, what: 'transferring' }),
      entry('f.bin', 1_044_480, '14.454541931', '15.44087415', { error: err, what: 'transferring' }),
    ];
    const v160 = [
      entry('f.bin', 0, '08.774031742', '09.759791587', { error: err, checked: true }),
      entry('f.bin', 1_044_480, '08.774034707', '09.759778848', { error: err }),
    ];
    for (const raw of [v175, v160]) {
      const log = new TransferLog(100);
      const added = log.add(normalizeTransferred(list(raw), 'main'));
      expect(added).toHaveLength(1);
      expect(added[0]).toMatchObject({ ok: false, error: err, bytes: 1_044_480 });
    }
  });

  it('keeps a server-side move (nothing uploaded) as one record of 0 bytes on both versions', () => {
    // 1.60: a check that carries the bytes; 1.75: a transfer of 0 bytes with no copy inside.
    const v160 = [entry('sub/f0.bin', 100_000, '23.823941978', '23.823985252', { checked: true, size: 100_000 })];
    const v175 = [entry('sub/f0.bin', 0, '24.163573946', '24.163749897', { what: 'transferring', size: 100_000 })];
    for (const raw of [v160, v175]) {
      const [t] = normalizeTransferred(list(raw), 'main');
      expect(t).toMatchObject({ name: 'sub/f0.bin', size: 100_000, bytes: 0, ok: true, checked: false, serverSide: true, avgSpeed: null });
    }
  });

  it('leaves out checks and source deletes: they are not uploads', () => {
    const raw = [
      entry('same.bin', 0, '21.671924057', '21.671978378', { checked: true, what: 'checking' }),
      entry('same.bin', 0, '21.671938478', '21.671976625', { checked: true, what: 'deleting' }),
    ];
    expect(normalizeTransferred(list(raw), 'main')).toEqual([]);
  });

  it('keeps two uploads of one name that do not nest (a retry) as two', () => {
    const log = new TransferLog(100);
    const first = entry('r.mkv', 500, '10.000000000', '11.000000000', { error: 'boom', what: 'transferring' });
    const second = entry('r.mkv', 3_000_000, '12.000000000', '15.000000000', { what: 'transferring' });
    expect(log.add(normalizeTransferred(list([first, second]), 'main'))).toHaveLength(2);
  });
});
