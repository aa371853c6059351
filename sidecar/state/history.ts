import { envelope, type DailyBytes, type HistoryRange, type HistoryRangeName, type HistorySeries } from '../contract/index.js';
import { CountedLog } from './countedLog.js';

/**
 * Three resolutions, each a bounded ring: 5 s buckets for the last hour, 1 min for 48 h,
 * 15 min for 90 days, plus bytes per UTC day for 90 days. Memory is bounded by the number
 * of series, whatever the uptime: at most 720 + 2880 + 8640 buckets each.
 *
 * Between uploads (most of a day) each new bucket is an empty one after an empty one: it
 * says only that the range reaches further. Such a bucket moves the range's version only
 * once `quietSlackSeconds` have gone by, so an idle sidecar rewrites the hour's 720 buckets
 * once a minute rather than every sample, and a chart's right edge lags by at most that.
 */
export const TIERS: ReadonlyArray<{ range: HistoryRangeName; stepSeconds: number; keepSeconds: number; quietSlackSeconds: number }> = [
  { range: '1h', stepSeconds: 5, keepSeconds: 3600, quietSlackSeconds: 60 },
  { range: '48h', stepSeconds: 60, keepSeconds: 48 * 3600, quietSlackSeconds: 900 },
  { range: '90d', stepSeconds: 900, keepSeconds: 90 * 86400, quietSlackSeconds: 3600 },
];
const DAYS_KEPT = 90;
/** The sidecar samples into the history this often; each sample holds what moved since the one before. */
export const SAMPLE_SECONDS = 5;

/**
 * One bucket: [start (Unix s), bytes, sum of in-flight samples, samples, errors, files
 * finished, SA changes, refusals, seconds uploading]. State saved before the last four
 * existed has five entries; they read as zeros.
 */
type Bucket = [t: number, bytes: number, inFlightSum: number, samples: number, errors: number, files: number, saChanges: number, refusals: number, uploadingSeconds: number];
const BUCKET_LENGTH = 9;
const OLD_BUCKET_LENGTH = 5;

/** What cloudplow's log said at a moment: counted into the bucket of that moment, not the one of the read. */
export interface LogCounts {
  saChanges: number;
  refusals: number;
}

export interface Sample {
  /** Bytes moved since the previous sample. */
  bytes: number;
  inFlight: number;
  /** Failed transfers since the previous sample. */
  errors: number;
  /** Transfers finished fine since the previous sample. */
  completed?: number;
  /** Seconds of the time since the previous sample that something was in flight. */
  uploadingSeconds?: number;
}

/** Counters since plowboard first ran here: they only go up, across restarts (Prometheus counters). */
export interface Totals {
  bytes: number;
  completed: number;
  failed: number;
}

export interface HistorySnapshot {
  version: 1;
  series: Record<string, Record<string, Bucket[]>>;
  daily: Record<string, Record<string, number>>;
  totals?: Record<string, Totals>;
  /** Which of cloudplow's log lines were counted already (absent in state saved before). */
  countedLog?: unknown;
}

export class HistoryStore {
  private readonly series = new Map<string, Map<HistoryRangeName, Bucket[]>>();
  /** day → series key → bytes */
  private readonly daily = new Map<string, Map<string, number>>();
  private readonly totalsByKey = new Map<string, Totals>();
  /** Moves whenever a range would read differently: a writer compares it instead of re-rendering. */
  private readonly versions = new Map<HistoryRangeName, number>();
  /** When each range's version last moved (Unix s): quiet buckets wait out the slack from there. */
  private readonly bumpedAt = new Map<HistoryRangeName, number>();
  private revisions = 0;
  /** The log lines already counted into the buckets: a log read again after a restart counts each once. */
  readonly countedLog = new CountedLog();

  /**
   * `dailyOnly` keeps just the totals and bytes per day: for per-SA series, which can be
   * a thousand, the fine tiers would cost memory nobody draws.
   */
  record(key: string, atMs: number, sample: Sample, opts: { dailyOnly?: boolean } = {}): void {
    const totals = this.totalsByKey.get(key) ?? { bytes: 0, completed: 0, failed: 0 };
    totals.bytes += sample.bytes;
    totals.completed += sample.completed ?? 0;
    totals.failed += sample.errors;
    this.totalsByKey.set(key, totals);
    if (!opts.dailyOnly) this.recordTiers(key, atMs, sample);
    if (sample.bytes > 0) {
      const day = new Date(atMs).toISOString().slice(0, 10);
      const perDay = this.daily.get(day) ?? new Map<string, number>();
      this.daily.set(day, perDay);
      perDay.set(key, (perDay.get(key) ?? 0) + sample.bytes);
      this.trimDays(atMs);
      this.bump('90d', atMs / 1000);
    }
  }

  private recordTiers(key: string, atMs: number, sample: Sample): void {
    const tiers = this.series.get(key) ?? new Map<HistoryRangeName, Bucket[]>();
    this.series.set(key, tiers);
    const nowSec = atMs / 1000;
    for (const tier of TIERS) {
      const buckets = tiers.get(tier.range) ?? [];
      tiers.set(tier.range, buckets);
      const start = Math.floor(nowSec / tier.stepSeconds) * tier.stepSeconds;
      // The clock went back: buckets "from the future" would never be overwritten in order.
      while (buckets.length && buckets[buckets.length - 1]![0] > start) buckets.pop();
      let last = buckets[buckets.length - 1];
      // A quiet sample in a quiet bucket changes only its sample count, which nothing shows.
      let changed = sample.bytes !== 0 || sample.errors !== 0 || sample.inFlight !== 0 || (sample.completed ?? 0) !== 0 || (sample.uploadingSeconds ?? 0) !== 0;
      if (!last || last[0] !== start) {
        // After a gap, or after a bucket where something moved, the new bucket shows at once.
        const quietRun = !!last && last[0] === start - tier.stepSeconds && isQuiet(last);
        if (!quietRun || nowSec - (this.bumpedAt.get(tier.range) ?? 0) >= tier.quietSlackSeconds) changed = true;
        last = emptyBucket(start);
        buckets.push(last);
      } else if (last[1] !== 0 || last[2] !== 0) {
        // The bucket's rate and mean in-flight are over its samples: one more changes them.
        changed = true;
      }
      if (changed) this.bump(tier.range, nowSec);
      last[1] += sample.bytes;
      last[2] += sample.inFlight;
      last[3] += 1;
      last[4] += sample.errors;
      last[5] += sample.completed ?? 0;
      last[8] += sample.uploadingSeconds ?? 0;
      const cutoff = start - tier.keepSeconds;
      let drop = 0;
      while (drop < buckets.length && buckets[drop]![0] <= cutoff) drop++;
      if (drop) {
        // Quiet buckets leaving the far end change nothing a chart of the range shows.
        if (buckets.slice(0, drop).some((b) => !isQuiet(b))) this.bump(tier.range, nowSec);
        buckets.splice(0, drop);
      }
    }
  }

  /**
   * SA changes and refusals cloudplow logged at `atMs`, which may be long before now (a log
   * read again at start): added to the bucket of that moment in each tier that still
   * covers it, a bucket made where none was, without disturbing the order.
   */
  addLogCounts(key: string, atMs: number, counts: LogCounts, nowMs: number): void {
    if (counts.saChanges === 0 && counts.refusals === 0) return;
    const tiers = this.series.get(key) ?? new Map<HistoryRangeName, Bucket[]>();
    this.series.set(key, tiers);
    for (const tier of TIERS) {
      const start = Math.floor(atMs / 1000 / tier.stepSeconds) * tier.stepSeconds;
      const nowStart = Math.floor(nowMs / 1000 / tier.stepSeconds) * tier.stepSeconds;
      if (start > nowStart || start <= nowStart - tier.keepSeconds) continue;
      const buckets = tiers.get(tier.range) ?? [];
      tiers.set(tier.range, buckets);
      // The first bucket after `start`, by halving: a whole log read at start brings thousands of lines.
      let [lo, i] = [0, buckets.length];
      while (lo < i) {
        const mid = (lo + i) >> 1;
        if (buckets[mid]![0] > start) i = mid;
        else lo = mid + 1;
      }
      let bucket = buckets[i - 1];
      if (!bucket || bucket[0] !== start) {
        bucket = emptyBucket(start);
        buckets.splice(i, 0, bucket);
      }
      bucket[6] += counts.saChanges;
      bucket[7] += counts.refusals;
      this.bump(tier.range, nowMs / 1000);
    }
  }

  /** Changes whenever range(`range`) would say something new, other than its `to`. */
  version(range: HistoryRangeName): number {
    return this.versions.get(range) ?? 0;
  }

  /** Moves whenever any range's version does. */
  get revision(): number {
    return this.revisions;
  }

  private bump(range: HistoryRangeName, atSec: number): void {
    this.revisions++;
    this.versions.set(range, this.version(range) + 1);
    this.bumpedAt.set(range, atSec);
  }

  /** One range, sized for the page that draws it: the 90-day range carries per-day totals too. */
  range(range: HistoryRangeName, nowMs: number, generatedAt: string): HistoryRange {
    const tier = TIERS.find((t) => t.range === range)!;
    const from = Math.floor(nowMs / 1000 / tier.stepSeconds) * tier.stepSeconds - tier.keepSeconds;
    const series = [...this.series.entries()]
      .filter(([key]) => range !== '90d' || key === 'total')
      .sort(([a], [b]) => (a === 'total' ? -1 : b === 'total' ? 1 : a.localeCompare(b)))
      .map(([key, tiers]) => toSeries(key, (tiers.get(range) ?? []).filter((b) => b[0] > from), tier.stepSeconds, range === '90d'));
    const daily: DailyBytes[] =
      range === '90d'
        ? [...this.daily.entries()].sort(([a], [b]) => a.localeCompare(b)).flatMap(([day, m]) => [...m.entries()].map(([key, bytes]) => ({ day, key, bytes: Math.round(bytes) })))
        : [];
    return {
      ...envelope(generatedAt),
      range,
      stepSeconds: tier.stepSeconds,
      from: new Date(from * 1000).toISOString(),
      to: new Date(nowMs).toISOString(),
      series,
      daily,
    };
  }

  /** Bytes per second of a series over the last `seconds`, from the 5 s tier; null when nothing was recorded. */
  recentRate(key: string, nowMs: number, seconds: number): number | null {
    const buckets = this.series.get(key)?.get('1h') ?? [];
    const from = nowMs / 1000 - seconds;
    const recent = buckets.filter((b) => b[0] >= from);
    if (!recent.length) return null;
    const span = nowMs / 1000 - recent[0]![0];
    return span > 0 ? recent.reduce((n, b) => n + b[1], 0) / span : null;
  }

  totals(): ReadonlyMap<string, Totals> {
    return this.totalsByKey;
  }

  snapshot(): HistorySnapshot {
    const series: HistorySnapshot['series'] = {};
    for (const [key, tiers] of this.series) series[key] = Object.fromEntries(tiers);
    const daily: HistorySnapshot['daily'] = {};
    for (const [day, m] of this.daily) daily[day] = Object.fromEntries(m);
    return { version: 1, series, daily, totals: Object.fromEntries(this.totalsByKey), countedLog: this.countedLog.snapshot() };
  }

  /** Restores a saved snapshot, keeping only well-formed buckets within each tier's bounds. */
  static restore(raw: unknown, nowMs: number): HistoryStore {
    const store = new HistoryStore();
    const snap = raw as Partial<HistorySnapshot> | null;
    if (!snap || snap.version !== 1 || typeof snap.series !== 'object' || snap.series === null) throw new Error('not a plowboard history snapshot');
    for (const [key, tiers] of Object.entries(snap.series)) {
      const restored = new Map<HistoryRangeName, Bucket[]>();
      for (const tier of TIERS) {
        const rows = (tiers as Record<string, unknown>)[tier.range];
        if (!Array.isArray(rows)) continue;
        const nowSec = nowMs / 1000;
        const ok = rows
          .filter(
            (b): b is number[] =>
              Array.isArray(b) &&
              (b.length === BUCKET_LENGTH || b.length === OLD_BUCKET_LENGTH) &&
              b.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0) &&
              b[0] > nowSec - tier.keepSeconds &&
              b[0] <= nowSec,
          )
          .map((b) => [...b, ...emptyBucket(0).slice(b.length)] as Bucket);
        ok.sort((a, b) => a[0] - b[0]);
        restored.set(tier.range, ok.slice(-Math.ceil(tier.keepSeconds / tier.stepSeconds)));
      }
      store.series.set(key, restored);
    }
    for (const [day, m] of Object.entries(snap.daily ?? {})) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !m || typeof m !== 'object') continue;
      store.daily.set(day, new Map(Object.entries(m).filter(([, v]) => typeof v === 'number' && Number.isFinite(v) && v >= 0)));
    }
    for (const [key, t] of Object.entries(snap.totals ?? {})) {
      const ok = t && [t.bytes, t.completed, t.failed].every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0);
      if (ok) store.totalsByKey.set(key, { bytes: t.bytes, completed: t.completed, failed: t.failed });
    }
    store.countedLog.restore(snap.countedLog);
    store.trimDays(nowMs);
    return store;
  }

  private trimDays(nowMs: number): void {
    const oldest = new Date(nowMs - DAYS_KEPT * 86400_000).toISOString().slice(0, 10);
    for (const day of this.daily.keys()) if (day < oldest) this.daily.delete(day);
  }
}

const emptyBucket = (start: number): Bucket => [start, 0, 0, 0, 0, 0, 0, 0, 0];
/** Nothing moved, failed, finished, changed SA or was refused in it: only its sample count is set. */
const isQuiet = (b: Bucket): boolean => b[1] === 0 && b[2] === 0 && b[4] === 0 && b[5] === 0 && b[6] === 0 && b[7] === 0 && b[8] === 0;

type Column = Array<number | null>;

/**
 * Buckets as columns, with a row of nulls wherever buckets are missing: a gap, never
 * interpolated. `counters` adds the columns the totals are summed from (90-day range only).
 */
function toSeries(key: string, buckets: Bucket[], step: number, counters = false): HistorySeries {
  const [kind, ...rest] = key.split(':');
  const cols: Record<string, Column> = { t: [], bytes: [], bytesPerSecond: [], inFlight: [], errors: [] };
  const extra = counters ? { files: [] as Column, saChanges: [] as Column, refusals: [] as Column, uploadingSeconds: [] as Column } : null;
  if (extra) Object.assign(cols, extra);
  let prev: number | null = null;
  for (const [t, bytes, inFlightSum, samples, errors, files, saChanges, refusals, uploadingSeconds] of buckets) {
    if (prev !== null && t - prev > step) for (const c of Object.values(cols)) c.push(null);
    // Each sample covers the SAMPLE_SECONDS before it: a bucket's rate is over the time its
    // samples cover, so a bucket just opened (or half missed by a restart) is not a spike.
    const span = Math.min(step, Math.max(SAMPLE_SECONDS, samples * SAMPLE_SECONDS));
    cols.t!.push(t);
    cols.bytes!.push(Math.round(bytes));
    cols.bytesPerSecond!.push(Math.round(bytes / span));
    cols.inFlight!.push(samples ? Math.round((inFlightSum / samples) * 10) / 10 : 0);
    cols.errors!.push(errors);
    extra?.files.push(files);
    extra?.saChanges.push(saChanges);
    extra?.refusals.push(refusals);
    extra?.uploadingSeconds.push(Math.round(uploadingSeconds));
    prev = t;
  }
  return {
    key,
    kind: key === 'total' ? 'total' : (kind as HistorySeries['kind']),
    name: key === 'total' ? 'total' : rest.join(':'),
    ...(cols as Pick<HistorySeries, 't' | 'bytes' | 'bytesPerSecond' | 'inFlight' | 'errors'>),
    ...extra,
  };
}
