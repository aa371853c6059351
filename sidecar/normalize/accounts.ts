import { envelope, type Account, type AccountStatus, type Accounts, type Pool, type SaQuota, type SaRefusals, type Uploader } from '../contract/index.js';
import prettyBytes from 'pretty-bytes';
import { accountName } from './accountName.js';
import { naturalCompare } from './naturalCompare.js';
import type { QuotaEntry } from './quotaCache.js';
import { MIN_USABLE_BYTES, NO_REFUSALS, hasQuota, healthNote, saHealth } from './saHealth.js';

export { MIN_USABLE_BYTES } from './saHealth.js';

export interface ObservedAccount {
  usedBytes: number;
  firstUploadAtMs: number;
}

/** uploader → account → the refusals plowboard saw in the log (403 rate limits, bans), kept across restarts. */
export type RefusalView = ReadonlyMap<string, ReadonlyMap<string, SaRefusals>>;

/** uploader → account → what plowboard saw it upload in the window running now. */
export type ObservedView = ReadonlyMap<string, ReadonlyMap<string, ObservedAccount>>;

export interface AccountsInput {
  now: number;
  quota: SaQuota;
  uploaders: Array<{ name: string; remote: string | null; serviceAccountPath: string | null; serviceAccounts: string[] }>;
  quotaCache: Map<string, Map<string, QuotaEntry>>;
  saBans: Record<string, Record<string, number | null> | null>;
  uploaderBans: Record<string, number | null>;
  /** The account uploading now, where a session is active by evidence. */
  active: { uploader: string | null; account: string } | null;
  /** Limit hits seen in the log (403 rate limit and the like). */
  limitHits: Array<{ atMs: number; uploader: string | null; account: string | null }>;
  /** What plowboard saw each SA upload in its window (for upstream cloudplow, which keeps no quota file), and since when it watches. */
  observed?: { accounts: ObservedView; sinceMs: number };
  /** What Google refused each SA, as the log said; the same object while the figures stand (they move by the hour). */
  refusals?: RefusalView;
}

/** Every account of every uploader once, with its quota, status and where each figure came from. */
export function buildAccounts(input: AccountsInput, generatedAt: string): Accounts {
  const names = new Set<string>([...input.uploaders.map((u) => u.name), ...input.quotaCache.keys(), ...Object.keys(input.saBans)]);
  const uploaders = [...names].sort().map((name) => buildUploader(name, input));
  return {
    ...envelope(generatedAt),
    quota: input.quota,
    uploaders,
    pool: sumPools(uploaders.map((u) => u.pool)),
  };
}

function buildUploader(name: string, input: AccountsInput): Uploader {
  const cfg = input.uploaders.find((u) => u.name === name);
  const cache = input.quotaCache.get(name) ?? new Map<string, QuotaEntry>();
  const bans = input.saBans[name] ?? {};
  const paths = new Map<string, string | null>();
  for (const p of cfg?.serviceAccounts ?? []) paths.set(accountName(p), p);
  for (const [n, e] of cache) if (!paths.get(n)) paths.set(n, e.path);
  for (const p of Object.keys(bans)) if (!paths.get(accountName(p))) paths.set(accountName(p), p);

  const banned = bansByAccount(bans);
  const accounts = inNaturalOrder([...paths.keys()]).map((account) => buildAccount(account, paths.get(account) ?? null, name, cache.get(account) ?? null, banned.get(account) ?? null, input));
  const ban = input.uploaderBans[name];
  return {
    name,
    remote: cfg?.remote ?? null,
    serviceAccountPath: cfg?.serviceAccountPath ?? null,
    bannedUntil: typeof ban === 'number' && ban * 1000 > input.now ? iso(ban * 1000) : null,
    accounts,
    pool: poolOf(accounts, input.now),
  };
}

/**
 * The first moment after `input.now` at which the same input would read differently: a
 * quota window resets, a ban ends or a limit hit leaves its window. Every comparison with
 * `now` in this file crosses at one of these times; until then the accounts stand.
 */
export function nextChangeAt(input: AccountsInput): number {
  const { now } = input;
  const windowMs = input.quota.windowHours * 3600_000;
  let next = Infinity;
  // Whole milliseconds: resetAt and bannedUntil are compared again after a round trip through ISO text.
  const consider = (ms: number | null | undefined) => {
    if (typeof ms === 'number' && ms > now) next = Math.min(next, Math.floor(ms));
  };
  for (const byName of input.quotaCache.values()) for (const e of byName.values()) consider(e.resetAtMs);
  for (const bans of Object.values(input.saBans)) for (const until of Object.values(bans ?? {})) consider(typeof until === 'number' ? until * 1000 : null);
  for (const until of Object.values(input.uploaderBans)) consider(typeof until === 'number' ? until * 1000 : null);
  for (const h of input.limitHits) consider(h.atMs + windowMs);
  for (const byName of input.observed?.accounts.values() ?? []) for (const o of byName.values()) consider(o.firstUploadAtMs + windowMs);
  return next;
}

/** sa_bans keys are full paths: indexed by account name once, not searched per account. */
function bansByAccount(bans: Record<string, number | null>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [p, until] of Object.entries(bans)) if (typeof until === 'number') out.set(accountName(p), until * 1000);
  return out;
}

function buildAccount(name: string, saPath: string | null, uploader: string, entry: QuotaEntry | null, banMs: number | null, input: AccountsInput): Account {
  const { now, quota } = input;
  const windowMs = quota.windowHours * 3600_000;
  // An entry whose reset time has passed is a fresh window: cloudplow deletes it on its next run.
  const expired = entry !== null && entry.resetAtMs !== null && entry.resetAtMs <= now;
  const live = entry && !expired ? entry : null;
  // The fork's file is the figure where it has the SA; what plowboard saw wins only where it is
  // more (the fork misses files its own RC polls did not see), and the two are never added.
  const seen = input.observed?.accounts.get(uploader)?.get(name) ?? null;
  const observed = seen !== null && (!live || seen.usedBytes > live.usedBytes) ? seen : null;
  const usedBytes = observed?.usedBytes ?? live?.usedBytes ?? 0;
  const firstUploadAtMs = observed ? observed.firstUploadAtMs : (live?.firstUploadAtMs ?? null);
  const resetAtMs = observed ? observed.firstUploadAtMs + windowMs : (live?.resetAtMs ?? null);
  const remainingBytes = Math.max(0, quota.bytesPerAccount - usedBytes);
  const bannedUntil = banMs !== null && banMs > now ? banMs : null;
  const hit = input.limitHits
    .filter((h) => h.account === name && (h.uploader === null || h.uploader === uploader) && h.atMs > now - windowMs)
    .reduce<number | null>((latest, h) => (latest === null || h.atMs > latest ? h.atMs : latest), null);
  // A limit hit counts only within the window that is still running.
  const limitHitAt = hit !== null && !(expired && entry!.resetAtMs! > hit) ? hit : null;

  let status: AccountStatus;
  let statusFrom: string;
  if (input.active && input.active.account === name && (input.active.uploader === null || input.active.uploader === uploader)) {
    [status, statusFrom] = ['active', 'the current session'];
  } else if (bannedUntil !== null) {
    [status, statusFrom] = ['banned', 'cache.db sa_bans'];
  } else if (limitHitAt !== null) {
    [status, statusFrom] = ['exhausted', 'a limit hit in the log'];
  } else if (remainingBytes < MIN_USABLE_BYTES) {
    [status, statusFrom] = ['exhausted', observed ? 'uploads observed by plowboard' : 'sa_quota_cache.json'];
  } else {
    [status, statusFrom] = ['available', entry ? 'sa_quota_cache.json' : observed ? 'uploads observed by plowboard' : 'no usage recorded'];
  }
  const refusals = input.refusals?.get(uploader)?.get(name) ?? NO_REFUSALS;
  const bannedAt = bannedUntil !== null ? iso(bannedUntil) : null;
  const health = saHealth({ status, bannedUntil: bannedAt, remainingBytes, refusals });
  return {
    name,
    path: saPath,
    usedBytes,
    quotaBytes: quota.bytesPerAccount,
    remainingBytes,
    percent: Math.round((usedBytes / quota.bytesPerAccount) * 1000) / 10,
    firstUploadAt: firstUploadAtMs ? iso(firstUploadAtMs) : null,
    resetAt: resetAtMs ? iso(resetAtMs) : null,
    status,
    bannedUntil: bannedAt,
    limitHitAt: limitHitAt !== null ? iso(limitHitAt) : null,
    refusals,
    health,
    healthNote: healthNote({ status, bannedUntil: bannedAt, remainingBytes, refusals, health }),
    sources: { used: usedFrom(entry, expired, observed ? input.observed!.sinceMs : null, live?.usedBytes ?? null), status: statusFrom },
  };
}

function usedFrom(entry: QuotaEntry | null, expired: boolean, observedSinceMs: number | null, forkBytes: number | null): string {
  // Worded with the day only, so the text does not change with every restart of the sidecar.
  if (observedSinceMs !== null) {
    const observed = `observed by plowboard since ${iso(observedSinceMs).slice(0, 10)}`;
    return forkBytes !== null ? `${observed}; the fork's sa_quota_cache.json says ${prettyBytes(forkBytes, { binary: true })}` : observed;
  }
  if (entry) return expired ? 'sa_quota_cache.json (expired: counted as reset)' : 'sa_quota_cache.json';
  return 'none';
}

/**
 * The account names in natural order (2.json before 10.json). The set of names rarely
 * changes while the sort runs on every publish: the last order is kept per uploader's list.
 */
const orderCache = new Map<string, string[]>();
function inNaturalOrder(names: string[]): string[] {
  const key = names.join('\0');
  const known = orderCache.get(key);
  if (known) return known;
  const sorted = [...names].sort(naturalCompare);
  // Only the current lists matter: a handful of uploaders, each with one list at a time.
  if (orderCache.size > 64) orderCache.clear();
  orderCache.set(key, sorted);
  return sorted;
}

// No rate here: how long a pool lasts moves with the speed, and is worked out by the reader from
// live.json's poolRate (sidecar/format/poolForecast.ts), so accounts.json stands while the speed moves.
function poolOf(accounts: Account[], now: number): Pool {
  const usable = accounts.filter((a) => a.status === 'active' || a.status === 'available');
  const capacityLeftBytes = usable.reduce((n, a) => n + a.remainingBytes, 0);
  let next: string | null = null;
  for (const a of accounts) {
    // ISO times in UTC compare as strings.
    for (const t of [a.resetAt, a.bannedUntil]) if (t !== null && (next === null || t < next) && Date.parse(t) > now) next = t;
  }
  return {
    accounts: accounts.length,
    usableNow: usable.length,
    exhausted: accounts.filter((a) => a.status === 'exhausted').length,
    banned: accounts.filter((a) => a.status === 'banned').length,
    withQuota: accounts.filter(hasQuota).length,
    usable: accounts.filter((a) => a.health === 'usable').length,
    refusedRecently: accounts.filter((a) => a.health === 'refused').length,
    capacityLeftBytes,
    nextResetAt: next,
  };
}

function sumPools(pools: Pool[]): Pool {
  const capacityLeftBytes = pools.reduce((n, p) => n + p.capacityLeftBytes, 0);
  const resets = pools.map((p) => p.nextResetAt).filter((t): t is string => t !== null).sort();
  return {
    accounts: pools.reduce((n, p) => n + p.accounts, 0),
    usableNow: pools.reduce((n, p) => n + p.usableNow, 0),
    exhausted: pools.reduce((n, p) => n + p.exhausted, 0),
    banned: pools.reduce((n, p) => n + p.banned, 0),
    withQuota: pools.reduce((n, p) => n + p.withQuota, 0),
    usable: pools.reduce((n, p) => n + p.usable, 0),
    refusedRecently: pools.reduce((n, p) => n + p.refusedRecently, 0),
    capacityLeftBytes,
    nextResetAt: resets[0] ?? null,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
