import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../../sidecar/state/history.js';

const quiet = { bytes: 0, inFlight: 0, errors: 0 };
// 12:00:00 UTC: the start of a bucket in every tier.
const t0 = Date.UTC(2026, 10, 23, 12, 0, 0);

/** The rendered range without its `to` and generatedAt: what the version stands for. */
const body = (h: HistoryStore, range: '1h' | '48h' | '90d', at: number) => JSON.stringify({ ...h.range(range, at, ''), to: null });

describe('history range versions', () => {
  it('stay put while quiet samples fall in the same bucket, and the rendered range agrees', () => {
    const h = new HistoryStore();
    h.record('total', t0, quiet);
    const v48 = h.version('48h');
    const v90 = h.version('90d');
    const before = body(h, '48h', t0);
    for (let s = 5; s < 60; s += 5) h.record('total', t0 + s * 1000, quiet);
    expect(h.version('48h')).toBe(v48);
    expect(h.version('90d')).toBe(v90);
    expect(body(h, '48h', t0 + 55_000)).toBe(before);
    // The 5 s tier opens a bucket with every sample.
    expect(h.version('1h')).toBeGreaterThan(v48);
  });

  it('move when a new bucket opens, when bytes arrive, and for every sample into a busy bucket', () => {
    const h = new HistoryStore();
    h.record('total', t0, quiet);
    const v = h.version('48h');
    h.record('total', t0 + 60_000, quiet);
    expect(h.version('48h')).toBe(v + 1);
    const v90 = h.version('90d');
    h.record('total', t0 + 65_000, { bytes: 1000, inFlight: 1, errors: 0 });
    expect(h.version('48h')).toBe(v + 2);
    expect(h.version('90d')).toBeGreaterThan(v90);
    // A quiet sample in a bucket that moved bytes lowers its rate: the range reads differently.
    const before = body(h, '48h', t0 + 65_000);
    h.record('total', t0 + 70_000, quiet);
    expect(h.version('48h')).toBe(v + 3);
    expect(body(h, '48h', t0 + 70_000)).not.toBe(before);
  });
});
