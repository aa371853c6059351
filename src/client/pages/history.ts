import type { HistoryRange, HistoryRangeName, HistorySeries, Summary } from '../../../sidecar/contract/index.js';
import { byId } from '../dom.js';
import { bytes, duration, speed } from '../format.js';
import { headerStatus } from '../headerStatus.js';
import { startPage } from '../startPage.js';
import { renderTotals } from '../totalsTable.js';
import { VegaView, specFrom } from '../vegaView.js';

// Not imported from the contract as a value: that would bundle TypeBox into the page.
const RANGES: readonly HistoryRangeName[] = ['1h', '48h', '90d'];
const RANGE_WORDS: Record<HistoryRangeName, string> = { '1h': 'hour', '48h': '48 hours', '90d': '90 days' };
const MiB = 1024 * 1024;
const GiB = 1024 ** 3;
const HEATMAP_ROW_PX = 18;

const charts = {
  throughput: new VegaView(byId('chart-history-throughput'), specFrom('spec-history-throughput')),
  errors: new VegaView(byId('chart-history-errors'), specFrom('spec-history-errors')),
  daily: new VegaView(byId('chart-daily'), specFrom('spec-daily')),
  heatmap: new VegaView(byId('chart-heatmap'), specFrom('spec-heatmap')),
};
/** The last copy of each range read; a range not shown is not polled, and refetched only if it changed. */
const ranges = new Map<HistoryRangeName, HistoryRange>();
let range: HistoryRangeName = rangeFromHash() ?? '1h';

function rangeFromHash(): HistoryRangeName | null {
  const m = /range=(\w+)/.exec(location.hash);
  return m && (RANGES as readonly string[]).includes(m[1]!) ? (m[1] as HistoryRangeName) : null;
}

const files = () => [...new Set(['summary', `history-${range}`, 'history-90d'])];

interface Point {
  t: number;
  series: string;
  value: number | null;
}

/**
 * Rows for a step line. A null in the columns is a gap (the sidecar was not running): the
 * bucket before it is closed at its end, then a null row breaks the line. Nothing is
 * interpolated across a gap.
 */
function seriesRows(s: HistorySeries, column: 'bytesPerSecond' | 'errors', stepSeconds: number, scale = 1): Point[] {
  const rows: Point[] = [];
  const label = s.kind === 'total' ? 'total' : s.name;
  let last: Point | null = null;
  for (let i = 0; i < s.t.length; i++) {
    const t = s.t[i];
    const v = s[column][i];
    if (t == null || v == null) {
      if (last && last.value !== null) {
        const end = last.t + stepSeconds * 1000;
        rows.push({ t: end, series: label, value: last.value }, { t: end + 1, series: label, value: null });
        last = rows[rows.length - 1]!;
      }
      continue;
    }
    last = { t: t * 1000, series: label, value: v / scale };
    rows.push(last);
  }
  return rows;
}

/** The total, and each instance beside it when there is more than one. */
function shownSeries(h: HistoryRange): HistorySeries[] {
  const instances = h.series.filter((s) => s.kind === 'instance');
  return h.series.filter((s) => s.kind === 'total' || (instances.length > 1 && s.kind === 'instance'));
}

function setDesc(id: string, text: string): void {
  const node = byId(id);
  if (node.textContent !== text) node.textContent = text;
}

function renderRange(): void {
  const h = ranges.get(range);
  for (const input of document.querySelectorAll<HTMLInputElement>('input[name=range]')) input.checked = input.value === range;
  if (!h) {
    setDesc('range-note', `Loading the last ${RANGE_WORDS[range]}…`);
    return;
  }
  const signals = { xmin: Date.parse(h.from), xmax: Date.parse(h.to), long: h.range === '90d' };
  const shown = shownSeries(h);
  const tp = shown.flatMap((s) => seriesRows(s, 'bytesPerSecond', h.stepSeconds, MiB).map((r) => ({ t: r.t, series: r.series, mibps: r.value })));
  const err = shown.filter((s) => s.kind === 'total').flatMap((s) => seriesRows(s, 'errors', h.stepSeconds).map((r) => ({ t: r.t, series: r.series, errors: r.value })));
  charts.throughput.update(tp, signals);
  charts.errors.update(err, signals);

  const total = h.series.find((s) => s.kind === 'total');
  const rates = (total?.bytesPerSecond ?? []).filter((v): v is number => v != null);
  const gaps = (total?.t ?? []).filter((t) => t == null).length;
  const errors = (total?.errors ?? []).reduce<number>((n, v) => n + (v ?? 0), 0);
  const moved = (total?.bytes ?? []).reduce<number>((n, v) => n + (v ?? 0), 0);
  byId('history-empty').hidden = rates.length > 0;
  setDesc('range-note', `The last ${RANGE_WORDS[range]} in ${duration(h.stepSeconds)} buckets: ${bytes(moved)} moved, ${errors} error${errors === 1 ? '' : 's'}${gaps ? `, ${gaps} gap${gaps === 1 ? '' : 's'} where the sidecar did not run` : ''}.`);
  setDesc(
    'chart-history-throughput-desc',
    rates.length
      ? `Throughput over the last ${RANGE_WORDS[range]}: average ${speed(rates.reduce((a, b) => a + b, 0) / rates.length)}, peak ${speed(Math.max(...rates))}${gaps ? `; ${gaps} gap${gaps === 1 ? '' : 's'} left blank` : ''}.`
      : `No throughput recorded in the last ${RANGE_WORDS[range]}.`,
  );
  setDesc('chart-history-errors-desc', `${errors} failed transfer${errors === 1 ? '' : 's'} in the last ${RANGE_WORDS[range]}.`);
  renderHeatmap();
}

function renderDaily(): void {
  const h = ranges.get('90d');
  if (!h) return;
  const days = h.daily.filter((d) => d.key === 'total');
  byId('daily-empty').hidden = days.length > 0;
  const to = Date.parse(h.to);
  charts.daily.update(
    days.map((d) => ({ day: `${d.day}T00:00:00Z`, gib: d.bytes / GiB })),
    { xmin: Date.parse(h.from), xmax: to + 86400_000 - (to % 86400_000) },
  );
  const best = days.reduce<(typeof days)[number] | null>((b, d) => (!b || d.bytes > b.bytes ? d : b), null);
  setDesc('chart-daily-desc', best ? `${days.length} days with uploads, ${bytes(days.reduce((n, d) => n + d.bytes, 0))} in all; the most on ${best.day}: ${bytes(best.bytes)}.` : 'No uploads recorded yet.');
}

/** Per SA per UTC day: from the 90-day totals when the sidecar keeps them, otherwise summed from the range shown. */
function accountDays(): Array<{ day: string; account: string; gib: number }> {
  const fromDaily = (ranges.get('90d')?.daily ?? []).filter((d) => d.key.startsWith('account:'));
  if (fromDaily.length) return fromDaily.map((d) => ({ day: d.day, account: d.key.slice('account:'.length), gib: d.bytes / GiB }));
  const sums = new Map<string, { day: string; account: string; gib: number }>();
  for (const s of ranges.get(range)?.series ?? []) {
    if (s.kind !== 'account') continue;
    s.t.forEach((t, i) => {
      const b = s.bytes[i];
      if (t == null || b == null) return;
      const day = new Date(t * 1000).toISOString().slice(0, 10);
      const key = `${s.name}\u0000${day}`;
      const row = sums.get(key) ?? { day, account: s.name, gib: 0 };
      row.gib += b / GiB;
      sums.set(key, row);
    });
  }
  return [...sums.values()];
}

function renderHeatmap(): void {
  const rows = accountDays();
  byId('heatmap-empty').hidden = rows.length > 0;
  const host = byId('chart-heatmap');
  host.hidden = rows.length === 0;
  if (!rows.length) return setDesc('chart-heatmap-desc', 'no per-SA history yet');
  const accounts = new Set(rows.map((r) => r.account));
  charts.heatmap.update(rows, { height: Math.max(40, accounts.size * HEATMAP_ROW_PX) });
  const busiest = rows.reduce((b, r) => (r.gib > b.gib ? r : b));
  setDesc('chart-heatmap-desc', `${accounts.size} service accounts over ${new Set(rows.map((r) => r.day)).size} days; the most in a day: ${busiest.account} on ${busiest.day}, ${bytes(busiest.gib * GiB)}.`);
}

function choose(next: HistoryRangeName): void {
  if (next === range) return;
  range = next;
  history.replaceState(null, '', `#range=${next}`);
  renderRange();
  poller.watch(files());
}

for (const input of document.querySelectorAll<HTMLInputElement>('input[name=range]')) input.addEventListener('change', () => input.checked && choose(input.value as HistoryRangeName));
window.addEventListener('hashchange', () => choose(rangeFromHash() ?? '1h'));
renderRange();
const { poller } = startPage({
  files: files(),
  status: headerStatus({ name: 'History' }),
  onData: (name, data) => {
    if (name === 'summary') return renderTotals(data as Summary);
    const h = data as HistoryRange;
    ranges.set(h.range, h);
    if (name === 'history-90d') renderDaily();
    if (h.range === range) renderRange();
    else if (name === 'history-90d') renderHeatmap();
  },
});
