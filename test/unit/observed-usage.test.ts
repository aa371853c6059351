import { describe, expect, it } from 'vitest';
import { buildAccounts, nextChangeAt, type AccountsInput } from '../../sidecar/normalize/accounts.js';
import { parseQuotaCache } from '../../sidecar/normalize/quotaCache.js';
import { ObservedUsage } from '../../sidecar/state/observedUsage.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const HOUR = 3600_000;
const WINDOW = 24 * HOUR;
const t0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const QUOTA = { bytesPerAccount: 750 * GiB, label: '750 GiB', unit: 'GiB' as const, windowHours: 24, from: 'default' };

const input = (now: number, store: ObservedUsage, quotaCache: unknown = {}): AccountsInput => ({
  now,
  quota: QUOTA,
  uploaders: [{ name: 'google', remote: 'google:/Media', serviceAccountPath: '/opt/sa', serviceAccounts: ['/opt/sa/1.json', '/opt/sa/2.json'] }],
  quotaCache: parseQuotaCache(quotaCache),
  saBans: {},
  uploaderBans: {},
  active: null,
  limitHits: [],
  observed: { accounts: store.current(now, WINDOW), sinceMs: store.since },
});
const account = (a: ReturnType<typeof buildAccounts>, name: string) => a.uploaders[0]!.accounts.find((x) => x.name === name)!;

describe('SA usage observed by plowboard (upstream cloudplow keeps no quota file)', () => {
  it('counts what each SA uploaded in its window, says where the figure came from, and resets with the window', () => {
    const store = new ObservedUsage(t0 - HOUR);
    store.add('google', '1.json', t0, 16 * MiB);
    store.add('google', '1.json', t0 + 30_000, 4 * MiB);
    store.add('google', '2.json', t0 + 5 * 60_000, 30 * MiB);
    const a = buildAccounts(input(t0 + HOUR, store), '');
    expect(account(a, '1.json')).toMatchObject({ usedBytes: 20 * MiB, firstUploadAt: new Date(t0).toISOString(), resetAt: new Date(t0 + WINDOW).toISOString(), status: 'available' });
    expect(account(a, '1.json').sources).toEqual({ used: 'observed by plowboard since 2026-12-01', status: 'uploads observed by plowboard' });
    expect(account(a, '2.json').usedBytes).toBe(30 * MiB);
    // The accounts stand until the first window runs out.
    expect(nextChangeAt(input(t0 + HOUR, store))).toBe(t0 + WINDOW);
    // A day on: both windows ended, nothing is counted.
    const later = buildAccounts(input(t0 + WINDOW + 10 * 60_000, store), '');
    expect(account(later, '1.json')).toMatchObject({ usedBytes: 0, resetAt: null });
    // A new upload opens a new window from then.
    store.add('google', '1.json', t0 + WINDOW + 20 * 60_000, 5 * MiB);
    expect(account(buildAccounts(input(t0 + WINDOW + 30 * 60_000, store), ''), '1.json')).toMatchObject({ usedBytes: 5 * MiB, firstUploadAt: new Date(t0 + WINDOW + 20 * 60_000).toISOString() });
  });

  it('gives way to the fork’s quota file for an SA it has, and is never added to it', () => {
    const store = new ObservedUsage(t0);
    store.add('google', '1.json', t0, 16 * MiB);
    store.add('google', '2.json', t0, 30 * MiB);
    const cache = { google: { '/opt/sa/1.json': { bytes: 100 * MiB, reset_time: (t0 + WINDOW) / 1000, first_upload: t0 / 1000 } } };
    const a = buildAccounts(input(t0 + HOUR, store, cache), '');
    expect(account(a, '1.json')).toMatchObject({ usedBytes: 100 * MiB });
    expect(account(a, '1.json').sources.used).toBe('sa_quota_cache.json');
    expect(account(a, '2.json')).toMatchObject({ usedBytes: 30 * MiB });
  });

  it('wins over the fork’s figure where it saw more, and says what the fork said', () => {
    const store = new ObservedUsage(t0);
    store.add('google', '1.json', t0, 16 * MiB);
    // The fork counts only what its own RC polls caught: here far less than moved.
    const cache = { google: { '/opt/sa/1.json': { bytes: 600 * 1024, reset_time: (t0 + WINDOW) / 1000, first_upload: t0 / 1000 } } };
    const one = account(buildAccounts(input(t0 + HOUR, store, cache), ''), '1.json');
    expect(one.usedBytes).toBe(16 * MiB);
    expect(one.sources.used).toBe("observed by plowboard since 2026-12-01; the fork's sa_quota_cache.json says 600 KiB");
  });

  it('is kept across restarts, and a damaged file is refused rather than read wrong', () => {
    const store = new ObservedUsage(t0);
    store.add('google', '1.json', t0, 16 * MiB);
    const again = ObservedUsage.restore(JSON.parse(JSON.stringify(store.snapshot())), Date.now());
    expect(again.since).toBe(t0);
    expect(again.current(t0 + HOUR, WINDOW).get('google')?.get('1.json')).toEqual({ usedBytes: 16 * MiB, firstUploadAtMs: t0 });
    expect(() => ObservedUsage.restore({ version: 2 }, t0)).toThrow();
    // Bad rows inside a good file are dropped, the rest kept.
    const mixed = ObservedUsage.restore({ version: 1, sinceMs: t0, accounts: { 'google\u00001.json': [[t0, 5], ['x', 1], [t0 + 60_000, -3]] } }, t0);
    expect(mixed.current(t0 + HOUR, WINDOW).get('google')?.get('1.json')?.usedBytes).toBe(5);
  });
});
