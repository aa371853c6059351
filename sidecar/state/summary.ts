import { SUMMARY_PERIODS, envelope, type HistoryRange, type Summary, type SummaryPeriod, type SummaryPeriodName } from '../contract/index.js';

const LABELS: Record<SummaryPeriodName, string> = {
  today: 'Today',
  yesterday: 'Yesterday',
  thisWeek: 'This week',
  lastWeek: 'Last week',
  thisMonth: 'This month',
  last30Days: 'Last 30 days',
};

/**
 * The periods around `nowMs`, in the process's local zone (TZ): midnight to midnight,
 * weeks from Monday. Built with the local Date constructor, so a day with a DST change
 * is 23 or 25 hours long, as it was lived. Every zone's offset is a multiple of 15 min,
 * so each boundary falls on a boundary of the 90-day buckets.
 */
export function periodBounds(nowMs: number): Record<SummaryPeriodName, [from: Date, to: Date]> {
  const now = new Date(nowMs);
  const [y, m, d] = [now.getFullYear(), now.getMonth(), now.getDate()];
  const day = (offset: number) => new Date(y, m, d + offset);
  const monday = -((now.getDay() + 6) % 7);
  return {
    today: [day(0), day(1)],
    yesterday: [day(-1), day(0)],
    thisWeek: [day(monday), day(monday + 7)],
    lastWeek: [day(monday - 7), day(monday)],
    thisMonth: [new Date(y, m, 1), new Date(y, m + 1, 1)],
    last30Days: [day(-29), day(1)],
  };
}

/** `+01:00` for a zone one hour east of UTC at that moment. */
export function utcOffset(atMs: number): string {
  const minutes = -new Date(atMs).getTimezoneOffset();
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The local calendar day of a moment: the summary is made again when it moves, even with nothing recorded. */
export const localDay = (atMs: number): string => {
  const d = new Date(atMs);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
};

/** The totals of each period, summed from the published 90-day range's "total" series: the page's numbers and the chart's agree. */
export function summarize(range: HistoryRange, nowMs: number, generatedAt: string): Summary {
  const total = range.series.find((s) => s.key === 'total');
  const bounds = periodBounds(nowMs);
  const periods = {} as Record<SummaryPeriodName, SummaryPeriod>;
  for (const name of SUMMARY_PERIODS) {
    const [from, to] = bounds[name];
    const p: SummaryPeriod = { label: LABELS[name], from: from.toISOString(), to: to.toISOString(), bytes: 0, files: 0, failures: 0, saChanges: 0, refusals: 0, uploadingSeconds: 0 };
    const [fromSec, toSec] = [from.getTime() / 1000, to.getTime() / 1000];
    total?.t.forEach((t, i) => {
      if (t === null || t < fromSec || t >= toSec) return;
      p.bytes += total.bytes[i] ?? 0;
      p.files += total.files?.[i] ?? 0;
      p.failures += total.errors[i] ?? 0;
      p.saChanges += total.saChanges?.[i] ?? 0;
      p.refusals += total.refusals?.[i] ?? 0;
      p.uploadingSeconds += total.uploadingSeconds?.[i] ?? 0;
    });
    periods[name] = p;
  }
  const first = total?.t.find((t) => t !== null);
  return {
    ...envelope(generatedAt),
    timeZone: { name: Intl.DateTimeFormat().resolvedOptions().timeZone, offset: utcOffset(nowMs) },
    weekStartsOn: 'Monday',
    historyFrom: first != null ? new Date(first * 1000).toISOString() : null,
    periods,
  };
}
