import { SUMMARY_PERIODS, type Summary } from '../contract/index.js';
import type { Block, Section } from './document.js';
import { bytes, count, duration, utc } from './format.js';

/** summary.json as a snapshot section: one row a period, its bounds in UTC as everything in a snapshot. */
export function totalsSection(s: Summary): Section {
  const rows = SUMMARY_PERIODS.map((name) => {
    const p = s.periods[name];
    return [p.label, `${utc(p.from)} – ${utc(p.to)}`, bytes(p.bytes), count(p.files), count(p.failures), count(p.saChanges), count(p.refusals), p.uploadingSeconds ? duration(p.uploadingSeconds) : '—'];
  });
  const blocks: Block[] = [
    { kind: 'text', text: `Days run midnight to midnight in the sidecar's time zone, ${s.timeZone.name} (UTC${s.timeZone.offset}); weeks start on Monday.${s.historyFrom ? ` History kept since ${utc(s.historyFrom)}.` : ''}` },
    { kind: 'table', table: { columns: ['Period', 'From – to (UTC)', 'Uploaded', 'Files', 'Failed', 'SA changes', 'Refusals', 'Time uploading'], rows, right: [2, 3, 4, 5, 6, 7] } },
  ];
  return { id: 'totals', title: 'Totals', blocks };
}
