import { describe, expect, it } from 'vitest';
import type { SaRefusals } from '../../sidecar/contract/index.js';
import { buildAccounts, type AccountsInput, type RefusalView } from '../../sidecar/normalize/accounts.js';
import { parseQuotaCache } from '../../sidecar/normalize/quotaCache.js';
import { NO_REFUSALS } from '../../sidecar/normalize/saHealth.js';
import { AccountsCache } from '../../sidecar/state/accountsCache.js';

const GiB = 1024 ** 3;
const HOUR = 3600_000;
const QUOTA = { bytesPerAccount: 750 * GiB, label: '750 GiB', unit: 'GiB' as const, windowHours: 24, from: 'default' };
const now = Date.UTC(2026, 11, 7, 12, 0, 0);
const sec = (ms: number) => ms / 1000;
const at = new Date(now - 9 * HOUR).toISOString();

/** What the store publishes for an SA refused `n24` times in the last day and `n30` in the month. */
const refused = (n24: number, n30 = n24, lastAt = at): SaRefusals => ({
  ...NO_REFUSALS,
  last24h: { rateLimits: n24, bans: 0 },
  last7d: { rateLimits: n30, bans: 0 },
  last30d: { rateLimits: n30, bans: 0 },
  lastAt,
  lastKind: 'rate_limit',
  lastLine: '2026/12/07 03:12:00 ERROR : a.mkv: Failed to copy: googleapi: Error 403: User rate limit exceeded',
  days: [{ day: lastAt.slice(0, 10), rateLimits: n30, bans: 0 }],
});

const view = (byAccount: Record<string, SaRefusals>): RefusalView => new Map([['google', new Map(Object.entries(byAccount))]]);

const input = (over: Partial<AccountsInput> = {}): AccountsInput => ({
  now,
  quota: QUOTA,
  uploaders: [{ name: 'google', remote: 'google:/Media', serviceAccountPath: '/opt/sa', serviceAccounts: [1, 2, 3, 4, 5].map((n) => `/opt/sa/${n}.json`) }],
  quotaCache: parseQuotaCache({
    google: {
      '/opt/sa/1.json': { bytes: 150 * GiB, reset_time: sec(now + 3 * HOUR), first_upload: sec(now - 21 * HOUR) },
      '/opt/sa/2.json': { bytes: 749.5 * GiB, reset_time: sec(now + 2 * HOUR), first_upload: sec(now - 22 * HOUR) },
    },
  }),
  saBans: { google: { '/opt/sa/3.json': sec(now + 5 * HOUR) } },
  uploaderBans: {},
  active: null,
  limitHits: [],
  ...over,
});

const accountsOf = (i: AccountsInput) => Object.fromEntries(buildAccounts(i, '').uploaders[0]!.accounts.map((a) => [a.name, a]));

describe('SA health: computed quota next to what Google did', () => {
  it('calls an SA with 600 GiB left but refused by Google in the last day "refused", and says when', () => {
    const a = accountsOf(input({ refusals: view({ '1.json': refused(14) }) }));
    expect(a['1.json']!.status).toBe('available');
    expect(a['1.json']!.remainingBytes).toBe(600 * GiB);
    expect(a['1.json']!.health).toBe('refused');
    expect(a['1.json']!.healthNote).toBe(`600 GiB left but refused by Google at ${at.slice(0, 10)} 03:00 UTC (14 rate-limit answers in 24 h)`);
    expect(a['1.json']!.refusals.last24h.rateLimits).toBe(14);
  });

  it('keeps quota arithmetic where it decides: no quota, banned, usable; an old refusal does not count against usable', () => {
    const a = accountsOf(input({ refusals: view({ '2.json': refused(3), '3.json': refused(2), '4.json': refused(0, 6, new Date(now - 4 * 24 * HOUR).toISOString()) }) }));
    expect(a['2.json']!.health).toBe('no_quota');
    expect(a['3.json']!.health).toBe('banned');
    expect(a['4.json']!.health).toBe('usable');
    expect(a['4.json']!.healthNote).toMatch(/^750 GiB left; no refusal in 24 h, 6 rate-limit answers in 30 days \(last at /);
    expect(a['5.json']!).toMatchObject({ health: 'usable', healthNote: '750 GiB left, no refusal seen', refusals: NO_REFUSALS });
  });

  it('counts the really usable pool: with quota, less those refused in the last 24 h', () => {
    const plain = buildAccounts(input(), '').pool;
    expect(plain).toMatchObject({ accounts: 5, usableNow: 3, withQuota: 3, usable: 3, refusedRecently: 0 });
    const pool = buildAccounts(input({ refusals: view({ '1.json': refused(14), '4.json': refused(1), '2.json': refused(9) }) }), '').pool;
    // 1 and 4 have quota and were refused; 2 has none left anyway; 3 is banned.
    expect(pool).toMatchObject({ accounts: 5, usableNow: 3, withQuota: 3, usable: 1, refusedRecently: 2 });
    // The sum of the uploaders' pools.
    expect(buildAccounts(input({ refusals: view({ '1.json': refused(14) }) }), '').uploaders[0]!.pool.usable).toBe(2);
  });

  it('the SA in use now and refused is refused, not usable', () => {
    const a = accountsOf(input({ active: { uploader: 'google', account: '5.json' }, refusals: view({ '5.json': refused(1) }) }));
    expect(a['5.json']).toMatchObject({ status: 'active', health: 'refused' });
  });

  it('builds the accounts again when the refusals move, and not while they stand', () => {
    const cache = new AccountsCache();
    const sources = { ...input(), rawQuotaCache: null, events: [] };
    const quiet = view({});
    const first = cache.get({ ...sources, refusals: quiet }, '');
    expect(cache.get({ ...sources, refusals: quiet }, '')).toBe(first);
    const next = cache.get({ ...sources, refusals: view({ '5.json': refused(1) }) }, '');
    expect(next).not.toBe(first);
    expect(next.pool.usable).toBe(first.pool.usable - 1);
  });
});
