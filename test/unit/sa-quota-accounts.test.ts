import { describe, expect, it } from 'vitest';
import { poolLastsSeconds, poolRateFor } from '../../sidecar/format/poolForecast.js';
import { buildAccounts, type AccountsInput } from '../../sidecar/normalize/accounts.js';
import { parseQuotaCache } from '../../sidecar/normalize/quotaCache.js';

const GiB = 1024 ** 3;
const QUOTA = { bytesPerAccount: 750 * GiB, label: '750 GiB', unit: 'GiB' as const, windowHours: 24, from: 'default' };
const now = Date.UTC(2026, 10, 22, 12, 0, 0);
const sec = (ms: number) => ms / 1000;

const input = (over: Partial<AccountsInput> = {}): AccountsInput => ({
  now,
  quota: QUOTA,
  uploaders: [{ name: 'google', remote: 'google:/Media', serviceAccountPath: '/opt/sa', serviceAccounts: ['/opt/sa/1.json', '/opt/sa/2.json', '/opt/sa/10.json', '/opt/sa/3.json'] }],
  quotaCache: parseQuotaCache({
    google: {
      '/opt/sa/1.json': { bytes: 700 * GiB, reset_time: sec(now + 3600_000), first_upload: sec(now - 23 * 3600_000) },
      '/opt/sa/2.json': { bytes: 749.5 * GiB, reset_time: sec(now + 7200_000), first_upload: sec(now - 22 * 3600_000) },
      '/opt/sa/3.json': { bytes: 740 * GiB, reset_time: sec(now - 60_000), first_upload: sec(now - 24 * 3600_000 - 60_000) },
    },
  }),
  saBans: {},
  uploaderBans: {},
  active: null,
  limitHits: [],
  ...over,
});

describe('service-account quotas', () => {
  it('lists every SA once, unused ones included, in cloudplow’s natural order', () => {
    const a = buildAccounts(input(), new Date(now).toISOString());
    expect(a.uploaders[0]!.accounts.map((x) => x.name)).toEqual(['1.json', '2.json', '3.json', '10.json']);
    const unused = a.uploaders[0]!.accounts.find((x) => x.name === '10.json')!;
    expect(unused).toMatchObject({ usedBytes: 0, remainingBytes: 750 * GiB, status: 'available', resetAt: null, path: '/opt/sa/10.json' });
    expect(unused.sources.used).toBe('none');
  });

  it('computes used, remaining, percent and reset time', () => {
    const sa1 = buildAccounts(input(), '').uploaders[0]!.accounts[0]!;
    expect(sa1).toMatchObject({ usedBytes: 700 * GiB, remainingBytes: 50 * GiB, percent: 93.3, status: 'available' });
    expect(sa1.resetAt).toBe(new Date(now + 3600_000).toISOString());
  });

  it('counts an entry whose reset time has passed as reset', () => {
    const sa3 = buildAccounts(input(), '').uploaders[0]!.accounts.find((x) => x.name === '3.json')!;
    expect(sa3).toMatchObject({ usedBytes: 0, remainingBytes: 750 * GiB, status: 'available', resetAt: null });
    expect(sa3.sources.used).toMatch(/expired/);
  });

  it('marks an SA with under 1 GiB left exhausted, a banned one banned, and the session’s one active', () => {
    const a = buildAccounts(
      input({ saBans: { google: { '/opt/sa/10.json': sec(now + 5 * 3600_000), '/opt/sa/1.json': null } }, active: { uploader: 'google', account: '1.json' } }),
      '',
    ).uploaders[0]!;
    const by = (n: string) => a.accounts.find((x) => x.name === n)!;
    expect(by('2.json').status).toBe('exhausted');
    expect(by('10.json')).toMatchObject({ status: 'banned', bannedUntil: new Date(now + 5 * 3600_000).toISOString() });
    expect(by('1.json').status).toBe('active');
    expect(by('3.json').status).toBe('available');
  });

  it('treats the same SA by full path and by base name as one account', () => {
    const a = buildAccounts(input({ active: { uploader: 'google', account: '2.json' } }), '').uploaders[0]!;
    expect(a.accounts.filter((x) => x.name === '2.json')).toHaveLength(1);
    expect(a.accounts.find((x) => x.name === '2.json')!.status).toBe('active');
  });

  it('marks an SA exhausted when the log saw it hit a limit in this window', () => {
    const a = buildAccounts(input({ limitHits: [{ atMs: now - 600_000, uploader: 'google', account: '10.json' }] }), '').uploaders[0]!;
    const sa = a.accounts.find((x) => x.name === '10.json')!;
    expect(sa.status).toBe('exhausted');
    expect(sa.limitHitAt).toBe(new Date(now - 600_000).toISOString());
  });

  it('sums the pool: capacity left, usable now, next reset, and how long it lasts at a rate', () => {
    const a = buildAccounts(input(), '');
    const pool = a.uploaders[0]!.pool;
    // 1.json 50 GiB + 3.json 750 + 10.json 750; 2.json is exhausted.
    expect(pool).toMatchObject({ accounts: 4, usableNow: 3, exhausted: 1, capacityLeftBytes: 1550 * GiB });
    expect(pool.nextResetAt).toBe(new Date(now + 3600_000).toISOString());
    // How long it lasts is worked out by the reader, from live.json's poolRate.
    expect(pool).not.toHaveProperty('lastsSeconds');
    expect(poolLastsSeconds(pool, poolRateFor({ poolRate: { uploader: 'google', bytesPerSecond: 100 * 1024 * 1024, windowSeconds: 900 } }, 'google'))).toBe(Math.round((1550 * GiB) / (100 * 1024 * 1024)));
    expect(a.pool.capacityLeftBytes).toBe(1550 * GiB);
  });

  it('says until when an uploader is banned', () => {
    const a = buildAccounts(input({ uploaderBans: { google: sec(now + 3600_000) } }), '');
    expect(a.uploaders[0]!.bannedUntil).toBe(new Date(now + 3600_000).toISOString());
  });

  it('handles 1,000 SAs', () => {
    const files = Array.from({ length: 1000 }, (_, i) => `/opt/sa/${i}.json`);
    const cache = Object.fromEntries(files.slice(0, 500).map((f, i) => [f, { bytes: (300 + i) * GiB, reset_time: sec(now + i * 1000), first_upload: sec(now - 1000) }]));
    const a = buildAccounts(input({ uploaders: [{ name: 'google', remote: null, serviceAccountPath: '/opt/sa', serviceAccounts: files }], quotaCache: parseQuotaCache({ google: cache }) }), '');
    expect(a.uploaders[0]!.accounts).toHaveLength(1000);
    expect(a.uploaders[0]!.accounts[999]!.name).toBe('999.json');
    // (300 + i) GiB used leaves under 1 GiB from i = 450 on.
    expect(a.pool.exhausted).toBe(50);
    expect(a.pool.usableNow).toBe(950);
  });
});
