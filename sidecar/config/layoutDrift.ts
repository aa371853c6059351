import type { CloudplowLayout, LayoutFile } from './cloudplowLayout.js';

const WATCHED: Array<[LayoutFile, keyof CloudplowLayout, string]> = [
  ['log', 'log', 'cloudplow.log'],
  ['cacheDb', 'cacheDb', 'cache.db'],
  ['locksDir', 'locksDir', 'locks/'],
  ['transferStats', 'transferStats', 'transfer-stats.jsonl'],
];

/**
 * What a later look at the host says about cloudplow's files that differs from what
 * plowboard reads since it started, e.g. a cloudplow started after plowboard with its
 * own --logfile. Only a placement a process or unit vouches for counts: a cloudplow run
 * from cron is gone between uploads, and its files do not move when it exits.
 */
export function layoutDrift(current: CloudplowLayout, later: CloudplowLayout): string[] {
  const out: string[] = [];
  for (const [found, key, label] of WATCHED) {
    const by = later.foundBy[found];
    const vouched = /cloudplow process|systemd unit/.test(by);
    if (vouched && later[key] !== current[key]) {
      out.push(`${label}: ${by} puts it at ${String(later[key])}, but plowboard reads ${String(current[key])} since it started; restart plowboard to follow`);
    }
  }
  return out;
}
