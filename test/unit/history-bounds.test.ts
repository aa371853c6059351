import { describe, expect, it } from 'vitest';
import { HistoryStore, TIERS } from '../../sidecar/state/history.js';

const t0 = Date.UTC(2026, 10, 1, 0, 0, 0);

describe('the history store', () => {
  it('stays within its bounds over a week of samples at accelerated time', () => {
    const h = new HistoryStore();
    for (let ms = t0; ms < t0 + 7 * 86400_000; ms += 5000) {
      h.record('total', ms, { bytes: 1000, inFlight: 2, errors: 0 });
      h.record('instance:a', ms, { bytes: 1000, inFlight: 2, errors: 0 });
    }
    const now = t0 + 7 * 86400_000;
    const snap = h.snapshot();
    for (const tier of TIERS) {
      const max = Math.ceil(tier.keepSeconds / tier.stepSeconds) + 1;
      expect(snap.series.total![tier.range]!.length, tier.range).toBeLessThanOrEqual(max);
    }
    expect(snap.series.total!['1h']!.length).toBe(720);
    expect(snap.series.total!['48h']!.length).toBe(2880);
    expect(snap.series.total!['90d']!.length).toBe(7 * 96);
    // 1000 bytes every 5 s is 17,280,000 bytes a day.
    const r = h.range('90d', now, new Date(now).toISOString());
    expect(r.daily.filter((d) => d.key === 'total').map((d) => d.bytes)).toEqual(Array(7).fill(17_280_000));
    expect(h.range('1h', now, '').series.find((s) => s.key === 'total')!.bytesPerSecond.every((v) => v === 200)).toBe(true);
    expect(JSON.stringify(snap).length).toBeLessThan(2_000_000);
  });

  it('shows time it did not run as a gap, never interpolated', () => {
    const h = new HistoryStore();
    for (let s = 0; s < 60; s += 5) h.record('total', t0 + s * 1000, { bytes: 500, inFlight: 1, errors: 0 });
    for (let s = 600; s < 660; s += 5) h.record('total', t0 + s * 1000, { bytes: 500, inFlight: 1, errors: 0 });
    const series = h.range('1h', t0 + 660_000, '').series[0]!;
    const gap = series.t.indexOf(null);
    expect(gap).toBe(12);
    expect(series.bytes[gap]).toBeNull();
    expect(series.t[gap - 1]).toBe(t0 / 1000 + 55);
    expect(series.t[gap + 1]).toBe(t0 / 1000 + 600);
    expect(series.t.filter((v) => v !== null)).toHaveLength(24);
  });

  it('survives the clock jumping back and forward', () => {
    const h = new HistoryStore();
    h.record('total', t0 + 3600_000, { bytes: 1, inFlight: 0, errors: 0 });
    h.record('total', t0, { bytes: 2, inFlight: 0, errors: 0 }); // back an hour
    h.record('total', t0 + 10_000, { bytes: 3, inFlight: 0, errors: 0 });
    const ts = h.snapshot().series.total!['1h']!.map((b) => b[0]);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(ts.at(-1)).toBe(t0 / 1000 + 10);
    h.record('total', t0 + 30 * 86400_000, { bytes: 4, inFlight: 0, errors: 0 }); // forward a month
    expect(h.snapshot().series.total!['1h']!).toHaveLength(1);
  });

  it('restores a snapshot, dropping what is malformed or out of bounds', () => {
    const h = new HistoryStore();
    for (let s = 0; s < 100; s += 5) h.record('total', t0 + s * 1000, { bytes: 10, inFlight: 1, errors: 1 });
    const snap = JSON.parse(JSON.stringify(h.snapshot()));
    snap.series.total['1h'].push(['x', 1, 2, 3, 4], [t0 / 1000 + 99999, 1, 1, 1, 1]);
    const back = HistoryStore.restore(snap, t0 + 100_000);
    expect(back.snapshot().series.total!['1h']).toEqual(h.snapshot().series.total!['1h']);
    expect(() => HistoryStore.restore({ nope: 1 }, t0)).toThrow();
  });
});

describe('per-SA history', () => {
  it('keeps bytes per day for a thousand SAs over 100 days within 90 days, with no fine tiers', () => {
    const h = new HistoryStore();
    for (let day = 0; day < 100; day++) {
      for (let sa = 0; sa < 1000; sa++) h.record(`account:google/${sa}.json`, t0 + day * 86400_000 + sa * 60_000, { bytes: 5, inFlight: 1, errors: 0 }, { dailyOnly: true });
    }
    const now = t0 + 100 * 86400_000;
    const snap = h.snapshot();
    expect(Object.keys(snap.series)).toEqual([]);
    const daily = h.range('90d', now, '').daily;
    expect(new Set(daily.map((d) => d.day)).size).toBeLessThanOrEqual(91);
    expect(daily.find((d) => d.key === 'account:google/7.json' && d.day === new Date(now - 86400_000).toISOString().slice(0, 10))!.bytes).toBe(5);
    expect(h.totals().get('account:google/7.json')!.bytes).toBe(500);
  });
});

describe('the recent rate the pool forecast uses', () => {
  it('averages the last minutes of a series, not its last sample', () => {
    const h = new HistoryStore();
    for (let s = 0; s < 1800; s += 5) h.record('total', t0 + s * 1000, { bytes: s < 1500 ? 5000 : 0, inFlight: 1, errors: 0 });
    const now = t0 + 1800 * 1000;
    // 1000 B/s for the first 600 of the last 900 seconds, then nothing.
    expect(h.recentRate('total', now, 900)).toBeCloseTo(600 * 1000 / 900, -1);
    expect(h.recentRate('missing', now, 900)).toBeNull();
  });
});

describe('the rate of a bucket', () => {
  it('is over the time its samples cover, so a bucket just opened is no spike', () => {
    const h = new HistoryStore();
    // 5 s samples of 5000 bytes: 1000 B/s throughout, the last one a second into a new minute.
    for (let s = 5; s <= 121; s += 5) h.record('total', t0 + s * 1000 + 1000, { bytes: 5000, inFlight: 1, errors: 0 });
    const now = t0 + 121_500;
    const minute = h.range('48h', now, '').series[0]!;
    expect(minute.bytesPerSecond.filter((v) => v !== null)).toEqual(minute.bytesPerSecond.filter((v) => v !== null).map(() => 1000));
    expect(h.range('1h', now, '').series[0]!.bytesPerSecond.every((v) => v === null || v === 1000)).toBe(true);
  });
});
