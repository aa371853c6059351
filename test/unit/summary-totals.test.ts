import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { SUMMARY_PERIODS, Summary, type HistoryRange, type LogEvent, type SummaryPeriodName } from '../../sidecar/contract/index.js';
import { HistoryStore } from '../../sidecar/state/history.js';
import { summarize } from '../../sidecar/state/summary.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const validSummary = addFormats(new Ajv2020({ strict: false })).compile(Summary);

const ZONE = 'Europe/Berlin';
let savedTz: string | undefined;
beforeAll(() => {
  savedTz = process.env.TZ;
  process.env.TZ = ZONE;
});
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

// Wednesday 2026-10-28 10:37 in Berlin (09:37Z, +01:00): last week holds the 25-hour Sunday
// of the change from summer time (2026-10-25), this month and the last 30 days hold both offsets.
const NOW = Date.UTC(2026, 9, 28, 9, 37, 12);

/** The calendar day of a moment in Berlin, read with Intl rather than the code's Date arithmetic. */
const berlinDay = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / 86400_000;

/** Which periods a local day belongs to, from the day strings alone. */
function periodsOf(day: string, today: string): Set<SummaryPeriodName> {
  const [d, t] = [dayNumber(day), dayNumber(today)];
  const monday = t - ((new Date(t * 86400_000).getUTCDay() + 6) % 7);
  const out = new Set<SummaryPeriodName>();
  if (d === t) out.add('today');
  if (d === t - 1) out.add('yesterday');
  if (d >= monday && d < monday + 7) out.add('thisWeek');
  if (d >= monday - 7 && d < monday) out.add('lastWeek');
  if (day.slice(0, 7) === today.slice(0, 7)) out.add('thisMonth');
  if (d > t - 30 && d <= t) out.add('last30Days');
  return out;
}

/** 70 days of samples every 5 min, with SA changes and refusals logged between them. */
function busyHistory(): HistoryStore {
  const h = new HistoryStore();
  const start = NOW - 70 * 86400_000;
  let n = 0;
  for (let at = start; at <= NOW; at += 300_000, n++) {
    const busy = n % 7 !== 0;
    h.record('total', at, { bytes: busy ? 1_000_000 + (n % 13) * 4096 : 0, inFlight: busy ? 2 : 0, errors: n % 11 === 0 ? 1 : 0, completed: busy ? (n % 3) + 1 : 0, uploadingSeconds: busy ? 5 : 0 });
  }
  // Logged moments, counted after the samples as a log read at start would be.
  for (let at = start + 1234; at <= NOW; at += 3_600_000 + 17_000) h.addLogCounts('total', at, { saChanges: 1, refusals: 3 }, NOW);
  return h;
}

type Figures = { bytes: number; files: number; failures: number; saChanges: number; refusals: number; uploadingSeconds: number };

/** The sums of the published buckets per period, each bucket placed by its Berlin day. */
function sumsOfBuckets(range: HistoryRange): Record<SummaryPeriodName, Figures> {
  const total = range.series.find((s) => s.key === 'total')!;
  const today = berlinDay(NOW);
  const sums = Object.fromEntries(SUMMARY_PERIODS.map((p) => [p, { bytes: 0, files: 0, failures: 0, saChanges: 0, refusals: 0, uploadingSeconds: 0 }])) as unknown as Record<SummaryPeriodName, Figures>;
  total.t.forEach((t, i) => {
    if (t === null) return;
    for (const p of periodsOf(berlinDay(t * 1000), today)) {
      sums[p].bytes += total.bytes[i]!;
      sums[p].files += total.files![i]!;
      sums[p].failures += total.errors[i]!;
      sums[p].saChanges += total.saChanges![i]!;
      sums[p].refusals += total.refusals![i]!;
      sums[p].uploadingSeconds += total.uploadingSeconds![i]!;
    }
  });
  return sums;
}

describe('the summary', () => {
  it('equals, for each period, the sums of the published 90-day buckets in the sidecar zone, weeks from Monday', () => {
    const h = busyHistory();
    const range = h.range('90d', NOW, new Date(NOW).toISOString());
    const summary = summarize(range, NOW, new Date(NOW).toISOString());
    expect(validSummary(summary), JSON.stringify(validSummary.errors)).toBe(true);
    expect(summary.timeZone).toEqual({ name: ZONE, offset: '+01:00' });
    const expected = sumsOfBuckets(range);
    for (const p of SUMMARY_PERIODS) {
      const { label: _l, from: _f, to: _t, ...figures } = summary.periods[p];
      expect(figures, p).toEqual(expected[p]);
      expect(figures.bytes, p).toBeGreaterThan(0);
      expect(figures.saChanges, p).toBeGreaterThan(0);
    }
    // Midnight in Berlin: before the change 22:00Z the day before, after it 23:00Z.
    expect(summary.periods.today).toMatchObject({ from: '2026-10-27T23:00:00.000Z', to: '2026-10-28T23:00:00.000Z' });
    expect(summary.periods.lastWeek).toMatchObject({ from: '2026-10-18T22:00:00.000Z', to: '2026-10-25T23:00:00.000Z' });
    expect(summary.periods.thisMonth).toMatchObject({ from: '2026-09-30T22:00:00.000Z', to: '2026-10-31T23:00:00.000Z' });
    // The 25-hour Sunday is in last week: 7 days of 5-min samples plus one hour's worth.
    const lastWeekSamples = (7 * 24 + 1) * 12;
    expect(summary.periods.lastWeek.uploadingSeconds).toBeGreaterThan((lastWeekSamples - 24 * 12) * 5 * (6 / 7) - 1);
    expect(summary.periods.lastWeek.uploadingSeconds).toBeLessThanOrEqual(lastWeekSamples * 5);
  });

  it('counts what was fed in: the buckets of the last 30 days hold every sample and logged line of those days', () => {
    const h = new HistoryStore();
    const from = new Date(2026, 8, 29).getTime(); // Berlin midnight, 29 days before today
    let files = 0;
    let refusals = 0;
    for (let at = from; at <= NOW; at += 600_000) {
      h.record('total', at, { bytes: 10, inFlight: 1, errors: 0, completed: 2, uploadingSeconds: 5 });
      files += 2;
    }
    for (let at = from; at <= NOW; at += 7_200_000) {
      h.addLogCounts('total', at, { saChanges: 0, refusals: 1 }, NOW);
      refusals += 1;
    }
    const s = summarize(h.range('90d', NOW, ''), NOW, '');
    expect(s.periods.last30Days.files).toBe(files);
    expect(s.periods.last30Days.refusals).toBe(refusals);
    expect(s.periods.last30Days.bytes).toBe((files / 2) * 10);
  });
});

describe('counters in saved history', () => {
  const event = (iso: string, kind: string, message: string): LogEvent => ({ time: iso, kind, message, uploader: null, account: null, detail: null, until: null }) as LogEvent;

  it('count each log line once when the log is read again after a restart', () => {
    const lines = [
      event('2026-10-28T08:00:00.100Z', 'sa_cycled', 'Upload aborted due to trigger: x being met, gd is cycling to service_account file: /sa/2.json'),
      event('2026-10-28T08:00:00.100Z', 'trigger_hit', '2026/10/28 09:00:00 ERROR : a: Failed to copy: googleapi: Error 403: User rate limit exceeded'),
      event('2026-10-28T08:00:00.100Z', 'trigger_hit', '2026/10/28 09:00:00 ERROR : b: Failed to copy: googleapi: Error 403: User rate limit exceeded'),
    ];
    const feed = (h: HistoryStore, events: LogEvent[]) => {
      for (const e of h.countedLog.fresh(events)) h.addLogCounts('total', Date.parse(e.time!), { saChanges: e.kind === 'sa_cycled' ? 1 : 0, refusals: e.kind === 'trigger_hit' ? 1 : 0 }, NOW);
    };
    const first = new HistoryStore();
    feed(first, lines);
    const restarted = HistoryStore.restore(JSON.parse(JSON.stringify(first.snapshot())), NOW);
    const later = event('2026-10-28T09:00:00.000Z', 'trigger_hit', '2026/10/28 10:00:00 ERROR : c: Failed to copy: googleapi: Error 403: User rate limit exceeded');
    // The whole log again, as a start reads it, then one new line.
    feed(restarted, [...lines, later]);
    const s = summarize(restarted.range('90d', NOW, ''), NOW, '');
    expect(s.periods.today.saChanges).toBe(1);
    expect(s.periods.today.refusals).toBe(3);
  });

  it('puts a line logged between samples in a bucket of its own, in order, and one from before 90 days nowhere', () => {
    const h = new HistoryStore();
    const t0 = Math.floor(NOW / 1000 / 900) * 900 - 7200;
    h.record('total', t0 * 1000, { bytes: 1, inFlight: 0, errors: 0 });
    h.record('total', (t0 + 7200) * 1000, { bytes: 1, inFlight: 0, errors: 0 });
    h.addLogCounts('total', (t0 + 3600 + 5) * 1000, { saChanges: 1, refusals: 0 }, NOW);
    h.addLogCounts('total', NOW - 91 * 86400_000, { saChanges: 1, refusals: 0 }, NOW);
    const total = h.range('90d', NOW, '').series[0]!;
    expect(total.t.filter((t) => t !== null)).toEqual([t0, t0 + 3600, t0 + 7200]);
    expect(total.saChanges!.reduce<number>((n, v) => n + (v ?? 0), 0)).toBe(1);
  });

  it('reads state saved before the counters existed, as zeros', () => {
    const t = Math.floor(NOW / 1000 / 900) * 900 - 3600;
    const old = { version: 1, series: { total: { '90d': [[t, 5000, 4, 2, 1]] } }, daily: {} };
    const h = HistoryStore.restore(old, NOW);
    const total = h.range('90d', NOW, '').series[0]!;
    expect(total).toMatchObject({ t: [t], bytes: [5000], errors: [1], files: [0], saChanges: [0], refusals: [0], uploadingSeconds: [0] });
    expect(summarize(h.range('90d', NOW, ''), NOW, '').periods.today).toMatchObject({ bytes: 5000, failures: 1, files: 0 });
  });
});
