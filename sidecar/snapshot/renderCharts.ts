import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import type { Live } from '../contract/index.js';
import { compileChart } from '../site/compileChart.js';
import { accountsSpec, dailySpec, historySpec, sizesSpec, throughputSpec, type HistoryRow, type ThroughputRow } from './chartSpecs.js';
import { stripControls as plain } from './escape.js';
import { duration, utc } from './format.js';
import type { SnapshotData } from './snapshotData.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
/** 48 h of 1 min buckets is 2880 points on 640 pixels: 10 min means draw the same line at a tenth of the size. */
const HISTORY_STEP_MS = 10 * 60_000;

export interface Chart {
  /** File name stem: `throughput` → `<snapshot>-charts/throughput.svg`. */
  name: string;
  title: string;
  /** What the chart shows, in words: the figure's caption and the image's alt text. */
  alt: string;
  /** A standalone SVG document (with its XML namespaces). */
  svg: string;
}

/** Each chart the data allows, in the order the snapshot shows them. A chart with nothing to draw is left out. */
export async function renderCharts(data: SnapshotData): Promise<Chart[]> {
  const wanted: { name: string; title: string; alt: string; spec: TopLevelSpec | null }[] = [];
  if (data.live) {
    const end = Date.parse(data.live.generatedAt);
    const start = end - data.live.throughput.windowSeconds * 1000;
    const rows = throughputRows(data.live, end);
    wanted.push({
      name: 'throughput',
      title: 'Throughput, live window',
      alt: `Upload throughput per rclone instance in MiB/s, ${duration(data.live.throughput.windowSeconds)} up to ${utc(data.live.generatedAt)}`,
      spec: rows.length ? throughputSpec(rows, start, end) : null,
    });
  }
  const h48 = data['history-48h']?.series.find((s) => s.key === 'total');
  if (h48) {
    const rows = coarsen(
      h48.t.map((t, i) => ({ t: (t ?? 0) * 1000, mibps: h48.bytesPerSecond[i] == null ? null : h48.bytesPerSecond[i]! / MiB })).filter((r) => r.t > 0),
      HISTORY_STEP_MS,
    );
    wanted.push({
      name: 'history-48h',
      title: 'Throughput, last 48 hours',
      alt: 'Average upload throughput in MiB/s per 10 minutes over the last 48 hours, all instances; gaps where the sidecar was not running',
      spec: rows.some((r) => r.mibps !== null) ? historySpec(rows, 'Average upload throughput, last 48 hours') : null,
    });
  }
  const daily = data['history-90d']?.daily.filter((d) => d.key === 'total');
  if (daily) {
    wanted.push({
      name: 'daily',
      title: 'Uploaded per day',
      alt: 'GiB uploaded per UTC day over the last 90 days, all instances',
      spec: daily.length ? dailySpec([...daily].sort((a, b) => (a.day < b.day ? -1 : 1)).map((d) => ({ day: d.day, gib: d.bytes / GiB }))) : null,
    });
  }
  if (data.accounts) {
    const many = data.accounts.uploaders.length > 1;
    const rows = data.accounts.uploaders.flatMap((u) => u.accounts.map((a) => ({ label: plain(many ? `${u.name}: ${a.name}` : a.name), percent: a.percent, status: a.status })));
    wanted.push({ name: 'accounts', title: 'Quota used per service account', alt: 'Percent of the daily quota used per service account, coloured by status', spec: rows.length ? accountsSpec(rows) : null });
  }
  if (data.distribution) {
    const rows = data.distribution.uploaders.flatMap((u) => (u.queue?.buckets ?? []).map((b) => ({ bucket: plain(b.label), uploader: plain(u.name), count: b.count })));
    wanted.push({ name: 'sizes', title: 'Queue by file size', alt: 'Files per size bucket in the upload queue, per uploader', spec: rows.length ? sizesSpec(rows) : null });
  }

  const charts: Chart[] = [];
  // One view at a time, each finalized before the next: a snapshot is not worth two cores.
  for (const w of wanted) if (w.spec) charts.push({ name: w.name, title: w.title, alt: w.alt, svg: await toSvg(w.spec) });
  return charts;
}

async function toSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compileChart(spec) as vega.Spec;
  // No loader that reaches out: every spec carries its data inline.
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The live window as a step line, as the overview page draws it: each value holds until
 * the next point of its instance, and the last one up to the data's time.
 */
function throughputRows(live: Live, end: number): ThroughputRow[] {
  const start = end - live.throughput.windowSeconds * 1000;
  const opening = new Map<string, ThroughputRow>();
  const inside: ThroughputRow[] = [];
  const last = new Map<string, ThroughputRow>();
  for (const p of live.throughput.points) {
    const row = { t: Date.parse(p.t), instance: plain(p.instance), mibps: p.bytesPerSecond / MiB };
    if (row.t > end) continue;
    if (row.t <= start) opening.set(row.instance, { ...row, t: start });
    else inside.push(row);
    const prev = last.get(row.instance);
    if (!prev || row.t >= prev.t) last.set(row.instance, row);
  }
  return [...opening.values(), ...inside, ...[...last.values()].map((r) => ({ ...r, t: end }))];
}

/** Means over `stepMs`, of the buckets that have a value; a step with none stays a gap. */
function coarsen(rows: HistoryRow[], stepMs: number): HistoryRow[] {
  const steps = new Map<number, { sum: number; n: number }>();
  for (const r of rows) {
    const t = Math.floor(r.t / stepMs) * stepMs;
    const acc = steps.get(t) ?? { sum: 0, n: 0 };
    if (r.mibps !== null) {
      acc.sum += r.mibps;
      acc.n += 1;
    }
    steps.set(t, acc);
  }
  return [...steps].sort((a, b) => a[0] - b[0]).map(([t, { sum, n }]) => ({ t, mibps: n ? sum / n : null }));
}
