import { describe, expect, it } from 'vitest';
import type { PoolRate } from '../../sidecar/contract/index.js';
import { poolLastsSeconds, poolRateFor } from '../../sidecar/format/poolForecast.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const live = (poolRate: PoolRate | null) => ({ poolRate });

describe("how long the SA pool lasts, worked out in the page from accounts.json's capacity and live.json's rate", () => {
  it("the session's uploader's pool, and the pool of all, drain at the session's rate", () => {
    const l = live({ uploader: 'google', bytesPerSecond: 100 * MiB, windowSeconds: 900 });
    expect(poolLastsSeconds({ capacityLeftBytes: 1500 * GiB }, poolRateFor(l, 'google'))).toBe(Math.round((1500 * GiB) / (100 * MiB)));
    expect(poolLastsSeconds({ capacityLeftBytes: 3000 * GiB }, poolRateFor(l, null))).toBe(Math.round((3000 * GiB) / (100 * MiB)));
  });

  it('moves with the rate while the capacity (and so accounts.json) stands', () => {
    const pool = { capacityLeftBytes: 750 * GiB };
    const slow = poolLastsSeconds(pool, poolRateFor(live({ uploader: 'google', bytesPerSecond: 50 * MiB, windowSeconds: 900 }), 'google'))!;
    const fast = poolLastsSeconds(pool, poolRateFor(live({ uploader: 'google', bytesPerSecond: 100 * MiB, windowSeconds: 900 }), 'google'))!;
    expect(fast).toBe(Math.round(slow / 2));
  });

  it("another uploader's pool does not drain, and nothing drains without a session or without live.json", () => {
    const l = live({ uploader: 'google', bytesPerSecond: 100 * MiB, windowSeconds: 900 });
    expect(poolRateFor(l, 'backup')).toBe(0);
    expect(poolLastsSeconds({ capacityLeftBytes: 750 * GiB }, poolRateFor(l, 'backup'))).toBeNull();
    expect(poolLastsSeconds({ capacityLeftBytes: 750 * GiB }, poolRateFor(live(null), null))).toBeNull();
    // A live.json from a sidecar before poolRate existed: no forecast rather than a wrong one.
    expect(poolRateFor({}, null)).toBe(0);
    expect(poolRateFor(null, 'google')).toBe(0);
  });
});
