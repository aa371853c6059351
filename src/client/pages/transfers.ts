import type { InFlightTransfer, Live, Transfer, Transfers } from '../../../sidecar/contract/index.js';
import { TRANSFERS_PAGE_COLUMNS } from '../../../sidecar/format/transferColumns.js';
import { csvLink, toCsv } from '../csv.js';
import { byId, el, replaceRows, setText } from '../dom.js';
import { ago, bytes, dateTime, duration, speed, timeText } from '../format.js';
import { headerStatus } from '../headerStatus.js';
import { fileEta, fileRateAvg, fileRateNow, finishedSpeed } from '../liveWords.js';
import { startPage } from '../startPage.js';
import { Choices, DataTable, countBy, searchMatcher, setCell, type Column } from '../table.js';
import { STATE_WORDS, csvTransfer, finishedRow, inflightRow, type Row, type State } from '../transferRows.js';

let live: Live | null = null;
let finished: Transfers | null = null;
let rows: Row[] = [];
let openKey: string | null = null;

const columns: Column<Row>[] = [
  {
    id: 'state',
    label: 'State',
    className: 'state',
    sort: (r) => STATE_WORDS[r.state],
    render: (td, r) => {
      setCell(td, STATE_WORDS[r.state]);
      if (td.dataset.state !== r.state) td.dataset.state = r.state;
    },
  },
  {
    id: 'name',
    label: 'File',
    className: 'file',
    rowHeader: true,
    sort: (r) => r.name,
    render: (td, r) => {
      // A button, so the record opens from the keyboard as well; the row's key says which.
      let button = td.querySelector<HTMLButtonElement>('button.open');
      if (!button) {
        button = el('button', { type: 'button', class: 'open', 'aria-haspopup': 'dialog' });
        button.addEventListener('click', () => openDetail(button!.dataset.key!));
        td.replaceChildren(button, el('span', { class: 'dest' }), el('span', { class: 'error' }));
      }
      button.dataset.key = r.key;
      setCell(button, r.name);
      setCell(td.querySelector<HTMLElement>('.dest')!, r.dest ? `→ ${r.dest}` : '', r.dest ? `destination remote: ${r.dest}` : '');
      setCell(td.querySelector<HTMLElement>('.error')!, r.error ?? '');
    },
  },
  { id: 'size', label: 'Size', className: 'num', sort: (r) => r.size, render: (td, r) => setCell(td, bytes(r.size)) },
  {
    id: 'finished',
    label: 'Finished',
    className: 'num when',
    // In flight sorts as the newest of all: it finishes after everything that has.
    sort: (r) => (r.completedAt ? Date.parse(r.completedAt) : Number.MAX_SAFE_INTEGER),
    render: (td, r) => {
      if (r.state === 'inflight') {
        let bar = td.querySelector('progress');
        if (!bar) td.replaceChildren((bar = el('progress', { max: 100 })), el('span', { class: 'meta' }));
        bar.value = r.percentage ?? 0;
        const label = `Progress of ${r.name}`;
        if (bar.getAttribute('aria-label') !== label) bar.setAttribute('aria-label', label);
        setCell(td.querySelector<HTMLElement>('.meta')!, `${(r.percentage ?? 0).toFixed(0)} % · ${fileEta(r.record as InFlightTransfer)}`);
        return;
      }
      if (td.querySelector('progress')) td.replaceChildren();
      const t = timeText(r.completedAt);
      setCell(td, t.text, t.title);
    },
  },
  { id: 'took', label: 'Took', className: 'num', sort: (r) => r.durationSeconds, render: (td, r) => setCell(td, duration(r.durationSeconds)) },
  { id: 'speed', label: 'Speed', className: 'num speed', sort: (r) => r.speed, render: renderSpeed },
  { id: 'account', label: 'Account', className: 'account', sort: (r) => r.account, render: (td, r) => setCell(td, r.account ?? '—', r.uploader ? `uploader ${r.uploader}` : '') },
];

/** In flight: the current rate, its average beneath; a server-side move uploaded nothing, so it has no speed. */
function renderSpeed(td: HTMLElement, r: Row): void {
  let now = td.querySelector<HTMLElement>('.now');
  if (!now) td.replaceChildren((now = el('span', { class: 'now' })), el('span', { class: 'meta' }));
  const meta = td.querySelector<HTMLElement>('.meta')!;
  if (r.state === 'inflight') {
    const t = r.record as InFlightTransfer;
    setCell(now, fileRateNow(t) ?? speed(null));
    setCell(meta, fileRateAvg(t) ?? '');
  } else {
    setCell(now, finishedSpeed(r.record as Transfer));
    setCell(meta, '');
  }
}

const table = new DataTable<Row>({
  table: byId<HTMLTableElement>('tr-table'),
  pager: byId('tr-pager'),
  status: byId('tr-status'),
  noun: 'transfers',
  columns,
  key: (r) => r.key,
  pageSize: 50,
  sort: { column: 'finished', descending: true },
  rowClass: (r) => (r.state === 'failed' ? 'failed' : r.state === 'inflight' ? 'uploading' : ''),
});

const search = byId<HTMLInputElement>('tr-search');
const states = new Choices<State>(
  byId('tr-state'),
  'state',
  (Object.keys(STATE_WORDS) as State[]).map((s) => [s, STATE_WORDS[s]]),
  () => applyFilter(),
);
search.addEventListener('input', () => applyFilter());

function applyFilter(): void {
  const matches = searchMatcher(search.value);
  const state = states.value;
  table.setFilter((r) => (state === 'all' || r.state === state) && matches(r.name, r.error, r.account, r.uploader, r.instance, r.dest));
  countStates();
}

/** Counts per state of what the search leaves, so each choice says what it would show. */
function countStates(): void {
  const matches = searchMatcher(search.value);
  states.setCounts(countBy(rows.filter((r) => matches(r.name, r.error, r.account, r.uploader, r.instance, r.dest)), (r) => r.state));
}

function rebuild(): void {
  rows = [...(live?.instances.flatMap((i) => i.transferring.map(inflightRow)) ?? []), ...(finished?.transfers.map(finishedRow) ?? [])];
  table.setRows(rows);
  countStates();
  const n = live?.total.inFlight ?? 0;
  setText('tr-live', live ? (n ? `(${n} in flight)` : '(nothing uploading)') : '');
  if (openKey) fillDetail(openKey);
}

// The detail view: the whole record, its error first.
const dialog = byId<HTMLDialogElement>('tr-detail');
byId('tr-detail-close').addEventListener('click', () => dialog.close());
dialog.addEventListener('close', () => {
  openKey = null;
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
});

function openDetail(key: string): void {
  openKey = key;
  fillDetail(key);
  if (!dialog.open) dialog.showModal();
  // A link to this record: the hash names the finished transfer's id.
  const row = rows.find((r) => r.key === key);
  if (row && 'id' in row.record) history.replaceState(null, '', `#${encodeURIComponent(row.record.id)}`);
}

function fillDetail(key: string): void {
  const row = rows.find((r) => r.key === key);
  if (!row) {
    setText('tr-detail-state', 'This transfer is no longer in the list (it finished, or was dropped from the bounded history).');
    return;
  }
  setText('tr-detail-h', row.name);
  setText('tr-detail-state', row.state === 'inflight' ? `In flight on ${row.instance ?? '—'}: ${(row.percentage ?? 0).toFixed(1)} %` : `Finished: ${STATE_WORDS[row.state]}`);
  byId('tr-detail-error').hidden = !row.error;
  setText('tr-detail-error-text', row.error ?? '');
  const entries = Object.entries(row.record) as Array<[string, unknown]>;
  replaceRows(byId('tr-detail-fields'), JSON.stringify(entries), () => entries.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: fieldText(k, v) })]));
}

/** One field of a record in words, with the exact figure beside the rounded one. */
function fieldText(key: string, v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') {
    if (key === 'size' || key === 'bytes') return `${bytes(v)} (${v.toLocaleString()} bytes)`;
    if (/speed/i.test(key)) return speed(v);
    if (key === 'durationSeconds' || key === 'eta') return duration(v);
    return v.toLocaleString();
  }
  if (typeof v === 'string' && /(At|Since)$/.test(key)) return `${dateTime(v)} (${ago(v)})`;
  return String(v);
}

csvLink(
  byId<HTMLAnchorElement>('tr-csv'),
  () => `transfers-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.csv`,
  () =>
    toCsv(table.visible(), [
      ['state', (r) => STATE_WORDS[r.state]],
      ...TRANSFERS_PAGE_COLUMNS.map(([header, value]) => [header, (r: Row) => value(csvTransfer(r))] as const),
    ]),
);

let hashOpened = false;
startPage({
  files: ['live', 'transfers'],
  status: headerStatus({
    name: 'Transfers',
    title: () => {
      if (!live && !finished) return null;
      const n = live?.total.inFlight ?? 0;
      const failed = finished?.failed ?? 0;
      return `${n ? `▲ ${n} in flight` : 'idle'}${failed ? ` · ${failed} failed` : ''}`;
    },
  }),
  onData: (name, data) => {
    if (name === 'live') live = data as Live;
    else if (name === 'transfers') finished = data as Transfers;
    rebuild();
    // A link with #<id> opens that transfer once it has arrived.
    if (!hashOpened && finished && location.hash.length > 1) {
      const id = decodeURIComponent(location.hash.slice(1));
      const row = rows.find((r) => 'id' in r.record && r.record.id === id);
      if (row) openDetail(row.key);
      hashOpened = true;
    }
  },
  // Ages ("2 min ago") move on; only the shown page is rewritten, and only the cells that changed.
  tick: () => table.refresh(),
});
