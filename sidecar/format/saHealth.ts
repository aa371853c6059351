import type { Account, Pool, SaHealth } from '../contract/index.js';

type Facts = Pick<Account, 'remainingBytes' | 'bannedUntil' | 'refusals'> & { health: SaHealth };

/** How many refusals of the last day, in words: "14 rate-limit answers, 1 ban in 24 h". */
export function refusalCountWords(c: { rateLimits: number; bans: number }, window: string): string {
  const parts = [];
  if (c.rateLimits) parts.push(`${c.rateLimits} rate-limit ${c.rateLimits === 1 ? 'answer' : 'answers'}`);
  if (c.bans) parts.push(`${c.bans} ${c.bans === 1 ? 'ban' : 'bans'}`);
  return parts.length ? `${parts.join(', ')} in ${window}` : `none in ${window}`;
}

/**
 * One SA's health in words, shared by the sidecar (accounts.json, the CSV: UTC) and the
 * accounts page (the reader's own time), e.g. "600 GiB left but refused by Google at 03:12".
 */
export function saHealthWords(a: Facts, fmt: { time: (iso: string) => string; bytes: (n: number) => string }): string {
  const last = a.refusals.lastAt ? ` (last at ${fmt.time(a.refusals.lastAt)})` : '';
  switch (a.health) {
    case 'banned':
      return `banned by cloudplow until ${fmt.time(a.bannedUntil!)}`;
    case 'no_quota':
      return a.refusals.lastAt ? `no quota left; refused before${last}` : 'no quota left';
    case 'refused': {
      const by = a.refusals.lastKind === 'ban' ? 'banned by cloudplow after a refusal' : 'refused by Google';
      return `${fmt.bytes(a.remainingBytes)} left but ${by} at ${fmt.time(a.refusals.lastAt!)} (${refusalCountWords(a.refusals.last24h, '24 h')})`;
    }
    default:
      return a.refusals.last30d.rateLimits + a.refusals.last30d.bans > 0
        ? `${fmt.bytes(a.remainingBytes)} left; no refusal in 24 h, ${refusalCountWords(a.refusals.last30d, '30 days')}${last}`
        : `${fmt.bytes(a.remainingBytes)} left, no refusal seen`;
  }
}

/** The pool's line beside "usable now" (accounts page, overview, kiosk): how many of those with quota Google still takes. */
export function poolRefusedWords(p: Pick<Pool, 'usable' | 'withQuota' | 'refusedRecently'>): string {
  return `${p.usable} really usable · ${p.withQuota} with quota${p.refusedRecently ? ` · ${p.refusedRecently} refused by Google in 24 h` : ''}`;
}
