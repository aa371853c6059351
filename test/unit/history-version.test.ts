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
  });

  it('let a run of quiet buckets move a range only once its slack has gone by: an idle hour is rewritten once a minute', () => {
    const h = new HistoryStore();
    h.record('total', t0, quiet);
    const v1h = h.version('1h');
    const v48 = h.version('48h');
    // The 5 s tier opens a quiet bucket with every sample; under a minute of them says nothing new.
    for (let s = 5; s < 60; s += 5) h.record('total', t0 + s * 1000, quiet);
    expect(h.version('1h')).toBe(v1h);
    h.record('total', t0 + 60_000, quiet);
    expect(h.version('1h')).toBe(v1h + 1);
    // The 48 h tier's quiet minute buckets wait 15 minutes.
    expect(h.version('48h')).toBe(v48);
    for (let s = 65; s <= 900; s += 5) h.record('total', t0 + s * 1000, quiet);
    expect(h.version('48h')).toBe(v48 + 1);
    // Each quiet bucket is there all the same, for the next rendering.
    expect(h.range('1h', t0 + 900_000, '').series[0]!.t.at(-1)).toBe(t0 / 1000 + 900);
  });

  it('move at once for a bucket after a gap (the sidecar was not running) and for one after bytes moved', () => {
    const h = new HistoryStore();
    h.record('total', t0, quiet);
    const v1h = h.version('1h');
    h.record('total', t0 + 30_000, quiet);
    expect(h.version('1h'), 'after a gap').toBe(v1h + 1);
    h.record('total', t0 + 35_000, { bytes: 1000, inFlight: 1, errors: 0 });
    h.record('total', t0 + 40_000, quiet);
    expect(h.version('1h'), 'the quiet bucket after a busy one').toBe(v1h + 3);
  });

  it('move when bytes arrive, and for every sample into a busy bucket', () => {
    const h = new HistoryStore();
    h.record('total', t0, quiet);
    const v = h.version('48h');
    h.record('total', t0 + 60_000, quiet);
    expect(h.version('48h')).toBe(v);
    const v90 = h.version('90d');
    h.record('total', t0 + 65_000, { bytes: 1000, inFlight: 1, errors: 0 });
    expect(h.version('48h')).toBe(v + 1);
    expect(h.version('90d')).toBeGreaterThan(v90);
    // A quiet sample in a bucket that moved bytes lowers its rate: the range reads differently.
    const before = body(h, '48h', t0 + 65_000);
    h.record('total', t0 + 70_000, quiet);
    expect(h.version('48h')).toBe(v + 2);
    expect(body(h, '48h', t0 + 70_000)).not.toBe(before);
  });
});
