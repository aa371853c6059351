import type { Account, SaHealth, SaRefusals } from '../contract/index.js';
import { saHealthWords } from '../format/saHealth.js';
import prettyBytes from 'pretty-bytes';

/** cloudplow skips an account with less than this left (cloudplow.py). */
export const MIN_USABLE_BYTES = 1024 ** 3;

export const NO_REFUSALS: SaRefusals = {
  last24h: { rateLimits: 0, bans: 0 },
  last7d: { rateLimits: 0, bans: 0 },
  last30d: { rateLimits: 0, bans: 0 },
  lastAt: null,
  lastKind: null,
  lastLine: null,
  days: [],
};

type Facts = Pick<Account, 'status' | 'bannedUntil' | 'remainingBytes' | 'refusals'>;

/** Quota as computed, not banned: what the arithmetic alone calls usable. */
export const hasQuota = (a: Facts): boolean => (a.status === 'active' || a.bannedUntil === null) && a.remainingBytes >= MIN_USABLE_BYTES;

/** Refused by Google (or banned by cloudplow for it) within the last REFUSED_RECENTLY_HOURS. */
export const refusedRecently = (r: SaRefusals): boolean => r.last24h.rateLimits + r.last24h.bans > 0;

/**
 * The computed quota next to what Google did. The arithmetic can say 600 GiB are left while
 * Google refuses the SA (since 2023 whole pools are throttled): a refusal in the last day
 * outweighs the figure.
 */
export function saHealth(a: Facts): SaHealth {
  if (a.status !== 'active' && a.bannedUntil !== null) return 'banned';
  if (a.remainingBytes < MIN_USABLE_BYTES) return 'no_quota';
  if (refusedRecently(a.refusals)) return 'refused';
  // A limit hit in the window without a 403 (rclone's max transfer): the quota is what ran out.
  if (a.status === 'exhausted') return 'no_quota';
  return 'usable';
}

/** The note accounts.json and the CSV carry: times in UTC, as the sidecar cannot know the reader's zone. */
export function healthNote(a: Facts & { health: SaHealth }): string {
  return saHealthWords(a, {
    time: (iso) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`,
    bytes: (n) => prettyBytes(n, { binary: true }),
  });
}
