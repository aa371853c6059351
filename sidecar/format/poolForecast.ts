import type { Live, Pool } from '../contract/index.js';

/**
 * How long an SA pool lasts, worked out by whoever shows it (the pages, the snapshot,
 * metrics.prom) from two stable bases: the pool's capacity left in accounts.json, which moves
 * only when an account's use does, and live.json's poolRate, which moves with the speed.
 */

/** The rate `uploader`'s pool drains at (null: the pool of all uploaders); 0 when it does not drain. */
export function poolRateFor(live: Pick<Live, 'poolRate'> | null | undefined, uploader: string | null): number {
  const rate = live?.poolRate;
  if (!rate) return 0;
  return uploader === null || uploader === rate.uploader ? rate.bytesPerSecond : 0;
}

/** Seconds until the pool's capacity is used up at `bytesPerSecond`; null when nothing drains it. */
export function poolLastsSeconds(pool: Pick<Pool, 'capacityLeftBytes'>, bytesPerSecond: number): number | null {
  return bytesPerSecond > 0 ? Math.round(pool.capacityLeftBytes / bytesPerSecond) : null;
}
