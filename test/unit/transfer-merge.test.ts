import { describe, expect, it } from 'vitest';
import type { Transfer } from '../../sidecar/contract/index.js';
import { TransferLog } from '../../sidecar/state/transferLog.js';
import { transferRecord } from '../helpers/fixtures.js';

const t = (n: number): Transfer => transferRecord(`f${n}.mkv`, new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(), { id: `id${n}`, instance: 'main', size: n, bytes: n });
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => t(from + i));

describe('merging rclone’s last-100 lists', () => {
  it('keeps every transfer across overlapping polls, newest first, without duplicates', () => {
    const log = new TransferLog(1000);
    expect(log.add(range(0, 100))).toHaveLength(100);
    expect(log.add(range(40, 140)).map((t) => t.name)).toEqual(range(100, 140).map((t) => t.name));
    expect(log.add(range(40, 140))).toEqual([]);
    const names = log.list().map((x) => x.name);
    expect(names).toHaveLength(140);
    expect(names[0]).toBe('f139.mkv');
    expect(names.at(-1)).toBe('f0.mkv');
  });

  it('drops the oldest once the bound is reached', () => {
    const log = new TransferLog(150);
    log.add(range(0, 100));
    log.add(range(100, 200));
    expect(log.list()).toHaveLength(150);
    expect(log.list().at(-1)!.name).toBe('f50.mkv');
    // A transfer older than everything kept does not come back.
    log.add([t(10)]);
    expect(log.list().some((x) => x.name === 'f10.mkv')).toBe(false);
  });
});

describe('merging cloudplow’s transfer-stats rows with rclone’s records', () => {
  const row = (n: number, secondsLater: number): Transfer => ({
    ...t(n),
    id: `row${n}`,
    instance: null,
    completedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n) + secondsLater * 1000).toISOString(),
    uploader: 'google',
    source: 'cloudplow',
  });

  it('keeps one transfer per copy, under rclone’s id, with the uploader cloudplow knows, in either order', () => {
    const log = new TransferLog(1000);
    log.add([t(1), t(2)]);
    expect(log.add([row(1, 3)])).toEqual([]);
    expect(log.list()).toHaveLength(2);
    expect(log.list().find((x) => x.name === 'f1.mkv')).toMatchObject({ id: 'id1', uploader: 'google', source: 'rclone' });

    const other = new TransferLog(1000);
    other.add([row(1, -5)]);
    other.add([t(1)]);
    expect(other.list()).toEqual([{ ...t(1), uploader: 'google' }]);
    // Rereading either source does not bring the folded record back.
    other.add([row(1, -5), t(1)]);
    expect(other.list()).toHaveLength(1);
  });

  it('keeps the same name copied twice, far apart, as two transfers', () => {
    const log = new TransferLog(1000);
    log.add([t(1), row(1, 3600)]);
    expect(log.list().map((x) => x.source).sort()).toEqual(['cloudplow', 'rclone']);
  });
});
