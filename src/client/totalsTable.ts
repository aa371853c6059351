import type { Summary, SummaryPeriod } from '../../sidecar/contract/index.js';
import { el, replaceRows, setText } from './dom.js';
import { bytes, duration } from './format.js';

// Not imported from the contract as a value: that would bundle TypeBox into the page.
const PERIODS = ['today', 'yesterday', 'thisWeek', 'lastWeek', 'thisMonth', 'last30Days'] as const;

const COLUMNS: Array<[label: string, cell: (p: SummaryPeriod) => string]> = [
  ['Uploaded', (p) => bytes(p.bytes)],
  ['Files', (p) => String(p.files)],
  ['Failed', (p) => String(p.failures)],
  ['SA changes', (p) => String(p.saChanges)],
  ['Refusals', (p) => String(p.refusals)],
  ['Time uploading', (p) => (p.uploadingSeconds ? duration(p.uploadingSeconds) : '—')],
];

/** summary.json as the table at the top of the history page: one row a period, its days in the sidecar's zone. */
export function renderTotals(s: Summary): void {
  const rows = PERIODS.map((name) => s.periods[name]);
  replaceRows(document.getElementById('totals-rows')!, JSON.stringify(rows), () =>
    rows.map((p) => el('tr', {}, el('th', { scope: 'row', text: p.label, title: `${new Date(p.from).toLocaleString()} – ${new Date(p.to).toLocaleString()}` }), ...COLUMNS.map(([, cell]) => el('td', { class: 'num', text: cell(p) })))),
  );
  const since = s.historyFrom ? ` History kept since ${new Date(s.historyFrom).toLocaleString()}: a period that starts earlier is counted from there.` : '';
  setText('totals-note', `Days run midnight to midnight in the sidecar's time zone, ${s.timeZone.name} (UTC${s.timeZone.offset}); weeks start on Monday.${since}`);
}
