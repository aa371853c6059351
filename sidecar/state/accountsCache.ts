import type { Accounts, LogEvent } from '../contract/index.js';
import { buildAccounts, nextChangeAt, type AccountsInput } from '../normalize/accounts.js';
import { limitHitsFromLog } from '../normalize/logSession.js';
import { parseQuotaCache } from '../normalize/quotaCache.js';

/** What the accounts are made of, as cloudplow's files were read: parsed here, once per change. */
export interface AccountsSources extends Omit<AccountsInput, 'quotaCache' | 'limitHits'> {
  /** sa_quota_cache.json as read; the same object until the file says something new. */
  rawQuotaCache: unknown;
  events: readonly LogEvent[];
}

/**
 * accounts.json from one publish to the next. A poll or a log line changes none of what
 * the accounts are made of, so the last accounts are handed back (the very same object,
 * which tells the writer there is nothing to serialize) until an input moves or a reset,
 * ban or limit-hit window runs out. Inputs are compared by identity: the sources keep
 * their last value's object while a file reads the same.
 */
export class AccountsCache {
  private rawQuotaCache: unknown = undefined;
  private quotaCache: AccountsInput['quotaCache'] = new Map();
  private events: readonly LogEvent[] | null = null;
  private limitHits: AccountsInput['limitHits'] = [];
  private limitHitsKey = '';
  private last: { accounts: Accounts; inputs: unknown[]; validUntil: number } | null = null;

  get(sources: AccountsSources, generatedAt: string): Accounts {
    const input = this.input(sources);
    const inputs = [
      input.quota,
      input.uploaders,
      input.quotaCache,
      input.saBans,
      input.uploaderBans,
      input.limitHits,
      input.active?.uploader,
      input.active?.account,
      input.observed?.accounts,
      input.refusals,
    ];
    const last = this.last;
    if (last && input.now < last.validUntil && inputs.every((v, i) => v === last.inputs[i])) return last.accounts;
    const accounts = buildAccounts(input, generatedAt);
    this.last = { accounts, inputs, validUntil: nextChangeAt(input) };
    return accounts;
  }

  private input(sources: AccountsSources): AccountsInput {
    const { rawQuotaCache, events, ...rest } = sources;
    if (rawQuotaCache !== this.rawQuotaCache) {
      this.rawQuotaCache = rawQuotaCache;
      this.quotaCache = parseQuotaCache(rawQuotaCache);
    }
    // Most new events are copied files, which never make a limit hit: the hits keep their object while they read the same.
    if (events !== this.events) {
      this.events = events;
      const hits = limitHitsFromLog(events);
      const key = JSON.stringify(hits);
      if (key !== this.limitHitsKey) [this.limitHits, this.limitHitsKey] = [hits, key];
    }
    return { ...rest, quotaCache: this.quotaCache, limitHits: this.limitHits };
  }
}
