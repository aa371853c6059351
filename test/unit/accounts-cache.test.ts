import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../sidecar/contract/index.js';
import { buildAccounts } from '../../sidecar/normalize/accounts.js';
import { limitHitsFromLog } from '../../sidecar/normalize/logSession.js';
import { parseQuotaCache } from '../../sidecar/normalize/quotaCache.js';
import { AccountsCache, type AccountsSources } from '../../sidecar/state/accountsCache.js';
import { logEvent } from '../helpers/fixtures.js';

const GiB = 1024 ** 3;
const HOUR = 3600_000;
const QUOTA = { bytesPerAccount: 750 * GiB, label: '750 GiB', unit: 'GiB' as const, windowHours: 24, from: 'default' };
const t0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const sec = (ms: number) => ms / 1000;

const event = (kind: string, atMs: number, over: Partial<LogEvent> = {}): LogEvent => logEvent(kind, new Date(atMs).toISOString(), over);

// Every kind of time limit the accounts have: resets (one fractional, as time.time() writes
// them), an SA ban, an uploader ban and a limit hit leaving its 24 h window.
const rawQuotaCache = {
  google: {
    '/opt/sa/1.json': { bytes: 700 * GiB, reset_time: sec(t0 + HOUR) + 0.0004, first_upload: sec(t0 - 23 * HOUR) },
    '/opt/sa/2.json': { bytes: 749.5 * GiB, reset_time: sec(t0 + 2 * HOUR), first_upload: sec(t0 - 22 * HOUR) },
  },
};
const events: LogEvent[] = [
  event('sa_chosen', t0 - 24 * HOUR, { uploader: 'google', account: '3.json' }),
  event('trigger_hit', t0 - 23.5 * HOUR),
  event('sa_cycled', t0 - 23.5 * HOUR, { uploader: 'google', account: '1.json' }),
];
const sources = (now: number, over: Partial<AccountsSources> = {}): AccountsSources => ({
  now,
  quota: QUOTA,
  uploaders: UPLOADERS,
  rawQuotaCache,
  saBans: SA_BANS,
  uploaderBans: UPLOADER_BANS,
  active: { uploader: 'google', account: '1.json' },
  events,
  ...over,
});
const UPLOADERS = [{ name: 'google', remote: 'google:/Media', serviceAccountPath: '/opt/sa', serviceAccounts: ['/opt/sa/1.json', '/opt/sa/2.json', '/opt/sa/3.json', '/opt/sa/4.json'] }];
const SA_BANS = { google: { '/opt/sa/4.json': sec(t0 + 3 * HOUR) } };
const UPLOADER_BANS = { google: sec(t0 + 4 * HOUR) };

/** What buildAccounts says from scratch at `now`, without the time it was made. */
function fresh(s: AccountsSources) {
  const { rawQuotaCache: raw, events: ev, ...rest } = s;
  return { ...buildAccounts({ ...rest, quotaCache: parseQuotaCache(raw), limitHits: limitHitsFromLog(ev) }, ''), generatedAt: null };
}

describe('the accounts cache', () => {
  it('hands back the same object while nothing moves, and exactly what a fresh build says at every moment', () => {
    const cache = new AccountsCache();
    const first = cache.get(sources(t0), '');
    expect(cache.get(sources(t0 + 1000), '')).toBe(first);
    // Walk across each limit and a millisecond either side of it: a threshold the cache
    // missed would show as a stale status, reset or pool here.
    // SA 3's limit hit leaving its window, SA 1's fractional reset, SA 2's reset, SA 4's ban, the uploader's ban.
    const limits = [t0 + 0.5 * HOUR, t0 + HOUR + 0.4, t0 + 2 * HOUR, t0 + 3 * HOUR, t0 + 4 * HOUR];
    const moments = [...new Set(limits.flatMap((l) => [Math.floor(l) - 1, Math.floor(l), Math.floor(l) + 1]))].sort((a, b) => a - b);
    const seen = new Set<object>();
    for (const now of moments) {
      const got = cache.get(sources(now), '');
      seen.add(got);
      expect({ ...got, generatedAt: null }, new Date(now).toISOString()).toEqual(fresh(sources(now)));
    }
    // Built again at each limit, and only there.
    expect(seen.size).toBeGreaterThanOrEqual(5);
    expect(seen.size).toBeLessThan(moments.length);
  });

  it('builds again when an input changes, and not for a copied file in the log', () => {
    const cache = new AccountsCache();
    const first = cache.get(sources(t0), '');
    const copied = [...events, event('file_copied', t0 + 1000, { detail: 'Movies/a.mkv' })];
    expect(cache.get(sources(t0 + 2000, { events: copied }), '')).toBe(first);

    const hit = [...copied, event('trigger_hit', t0 + 3000)];
    const afterHit = cache.get(sources(t0 + 4000, { events: hit }), '');
    expect(afterHit).not.toBe(first);
    expect(afterHit.uploaders[0]!.accounts.find((a) => a.name === '1.json')!.limitHitAt).toBe(new Date(t0 + 3000).toISOString());

    const rereadSame = { ...rawQuotaCache };
    expect(cache.get(sources(t0 + 5000, { events: hit, rawQuotaCache: rereadSame }), '')).not.toBe(afterHit);
    const reread = cache.get(sources(t0 + 5500, { events: hit, rawQuotaCache: rereadSame }), '');
    // The upload speed is no input: it moves every poll, and lives in live.json (poolRate).
    expect(reread.pool).not.toHaveProperty('throughputBytesPerSecond');
    expect(reread.pool).not.toHaveProperty('lastsSeconds');
    const otherSa = cache.get(sources(t0 + 7000, { events: hit, rawQuotaCache: rereadSame, active: { uploader: 'google', account: '2.json' } }), '');
    expect(otherSa.uploaders[0]!.accounts.find((a) => a.name === '2.json')!.status).toBe('active');
  });
});
