import { describe, expect, it } from 'vitest';
import type { Transfer } from '../../sidecar/contract/index.js';
import { ObservedShown } from '../../sidecar/state/observedShown.js';
import { ObservedUsage } from '../../sidecar/state/observedUsage.js';

const t0 = Date.parse('2026-12-07T10:00:00Z');
const DAY = 24 * 3600_000;

describe("the observed SA use accounts.json shows, while bytes move", () => {
  it('stands between finished files, and takes every byte moved when one finishes or nothing is in flight', () => {
    const usage = new ObservedUsage(t0);
    const shown = new ObservedShown();
    let transfers: readonly Transfer[] = [];
    const view = (now: number, inFlight = true) => shown.get(transfers, inFlight, now, DAY, () => usage.current(now, DAY));
    const used = (now: number, inFlight = true) => view(now, inFlight).get('google')?.get('3.json')?.usedBytes ?? 0;

    usage.add('google', '3.json', t0, 5_000_000);
    expect(used(t0)).toBe(5_000_000);
    // A 5 s sample after another: ObservedUsage grows, accounts.json's view does not.
    for (let s = 5; s <= 30; s += 5) {
      usage.add('google', '3.json', t0 + s * 1000, 5_000_000);
      expect(used(t0 + s * 1000)).toBe(5_000_000);
    }
    // A file finished: a new transfer list, and all that moved is counted at once.
    transfers = [{ id: 'a' } as Transfer];
    expect(used(t0 + 31_000)).toBe(35_000_000);
    usage.add('google', '3.json', t0 + 35_000, 1_000_000);
    expect(used(t0 + 35_000)).toBe(35_000_000);
    // rclone at rest: the last bytes of the run, which landed after its last file, are shown.
    expect(used(t0 + 40_000, false)).toBe(36_000_000);
  });

  it('drops a window that ran out even while nothing finishes', () => {
    const usage = new ObservedUsage(t0);
    const shown = new ObservedShown();
    const transfers: readonly Transfer[] = [];
    usage.add('google', '3.json', t0, 5_000_000);
    expect(shown.get(transfers, true, t0, DAY, () => usage.current(t0, DAY)).get('google')?.get('3.json')?.usedBytes).toBe(5_000_000);
    const later = t0 + DAY + 1000;
    expect(shown.get(transfers, true, later, DAY, () => usage.current(later, DAY)).get('google')?.get('3.json')).toBeUndefined();
  });
});
