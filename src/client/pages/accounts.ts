import type { Account, AccountStatus, Accounts, HistoryRange, Live, Pool } from '../../../sidecar/contract/index.js';
import { poolLastsSeconds, poolRateFor } from '../../../sidecar/format/poolForecast.js';
import { byId, el, setText } from '../dom.js';
import { bytes, dateTime, duration, speed, when } from '../format.js';
import { headerStatus } from '../headerStatus.js';
import { poolRefusedWords } from '../../../sidecar/format/saHealth.js';
import { refusalCells, refusalColumns } from '../saRefusals.js';
import { startPage } from '../startPage.js';
import { Choices, DataTable, countBy, searchMatcher, setCell, type Column } from '../table.js';
import { VegaView, specFrom } from '../vegaView.js';

interface Row {
  key: string;
  uploader: string;
  a: Account;
}

const MiB = 1024 * 1024;
const GiB = 1024 ** 3;
const STATUSES: AccountStatus[] = ['active', 'available', 'exhausted', 'banned'];
/** Sort order of statuses: the one in use, then usable, then not. */
const STATUS_RANK: Record<AccountStatus, number> = { active: 0, available: 1, exhausted: 2, banned: 3 };

let accounts: Accounts | null = null;
let history: HistoryRange | null = null;
/** Only for its poolRate: the speed moves every poll, so it lives in live.json and accounts.json stands. */
let live: Pick<Live, 'poolRate'> | null = null;
let rows: Row[] = [];

/** "in 3 h 12 min" until a time, or "due" once it has passed (the sidecar has not seen the reset yet). */
function countdown(iso: string | null, now = Date.now()): string {
  if (!iso) return '—';
  const s = (Date.parse(iso) - now) / 1000;
  return s <= 0 ? 'due' : `in ${duration(s)}`;
}

const columns: Column<Row>[] = [
  { id: 'uploader', label: 'Uploader', className: 'account', sort: (r) => r.uploader, render: (td, r) => setCell(td, r.uploader) },
  { id: 'name', label: 'Account', className: 'file', rowHeader: true, sort: (r) => r.a.name, render: (td, r) => setCell(td, r.a.name, r.a.path ?? '') },
  {
    id: 'used',
    label: 'Used',
    className: 'usage',
    sort: (r) => r.a.usedBytes,
    render: (td, r) => {
      let bar = td.querySelector('progress');
      if (!bar) td.replaceChildren((bar = el('progress', { max: 100 })), el('span', { class: 'meta' }));
      const value = Math.min(100, r.a.percent);
      if (bar.value !== value) bar.value = value;
      const label = `Quota used by ${r.a.name}`;
      if (bar.getAttribute('aria-label') !== label) bar.setAttribute('aria-label', label);
      setCell(td.querySelector<HTMLElement>('.meta')!, `${bytes(r.a.usedBytes)} of ${bytes(r.a.quotaBytes)} · ${r.a.percent.toFixed(0)} %`);
    },
  },
  { id: 'left', label: 'Left', className: 'num', sort: (r) => r.a.remainingBytes, render: (td, r) => setCell(td, bytes(r.a.remainingBytes)) },
  {
    id: 'status',
    label: 'Status',
    className: 'status',
    sort: (r) => STATUS_RANK[r.a.status],
    render: (td, r) => {
      setCell(td, r.a.status, `decided by ${r.a.sources.status}`);
      if (td.dataset.status !== r.a.status) td.dataset.status = r.a.status;
    },
  },
  {
    id: 'reset',
    label: 'Resets',
    className: 'num reset',
    sort: (r) => (r.a.resetAt ? Date.parse(r.a.resetAt) : null),
    render: (td, r) => setCell(td, countdown(r.a.resetAt), r.a.resetAt ? dateTime(r.a.resetAt) : 'no upload in this window'),
  },
  {
    id: 'banned',
    label: 'Banned until',
    className: 'num reset',
    sort: (r) => (r.a.bannedUntil ? Date.parse(r.a.bannedUntil) : null),
    render: (td, r) => setCell(td, r.a.bannedUntil ? `${when(r.a.bannedUntil)} (${countdown(r.a.bannedUntil)})` : '—', r.a.bannedUntil ? dateTime(r.a.bannedUntil) : ''),
  },
  ...refusalColumns<Row>(),
  { id: 'source', label: 'Figure from', className: 'account', sort: (r) => r.a.sources.used, render: (td, r) => setCell(td, r.a.sources.used) },
];

const table = new DataTable<Row>({
  table: byId<HTMLTableElement>('sa-table'),
  pager: byId('sa-pager'),
  status: byId('sa-table-status'),
  noun: 'service accounts',
  columns,
  key: (r) => r.key,
  pageSize: 50,
  sort: { column: 'name', descending: false },
  rowClass: (r) => r.a.status,
});

const search = byId<HTMLInputElement>('sa-search');
const uploaderSelect = byId<HTMLSelectElement>('sa-uploader');
const statuses = new Choices<AccountStatus>(
  byId('sa-status'),
  'status',
  STATUSES.map((s) => [s, s]),
  () => applyFilter(),
);
search.addEventListener('input', () => applyFilter());
uploaderSelect.addEventListener('change', () => {
  applyFilter();
  renderPool();
  drawUsage();
  drawRefusals();
  drawHistory();
});

const inUploader = (r: Row) => !uploaderSelect.value || r.uploader === uploaderSelect.value;

function applyFilter(): void {
  const matches = searchMatcher(search.value);
  const status = statuses.value;
  table.setFilter((r) => inUploader(r) && (status === 'all' || r.a.status === status) && matches(r.a.name, r.a.path));
  countStatuses();
}

function countStatuses(): void {
  const matches = searchMatcher(search.value);
  statuses.setCounts(countBy(rows.filter((r) => inUploader(r) && matches(r.a.name, r.a.path)), (r) => r.a.status));
}

function renderAccounts(data: Accounts): void {
  accounts = data;
  rows = data.uploaders.flatMap((u) => u.accounts.map((a) => ({ key: `${u.name}\u0000${a.name}`, uploader: u.name, a })));
  setText('sa-quota', `(${data.quota.label} each per ${data.quota.windowHours} h)`);

  // The uploader choice only appears when there is a choice to make.
  const names = data.uploaders.map((u) => u.name);
  const options = [...uploaderSelect.options].slice(1).map((o) => o.value);
  if (names.join('\u0000') !== options.join('\u0000')) {
    const chosen = uploaderSelect.value;
    uploaderSelect.replaceChildren(el('option', { value: '', text: 'All uploaders' }), ...names.map((n) => el('option', { value: n, text: n })));
    uploaderSelect.value = names.includes(chosen) ? chosen : '';
  }
  byId('sa-uploader-label').hidden = names.length < 2;

  const bans = data.uploaders.filter((u) => u.bannedUntil && Date.parse(u.bannedUntil) > Date.now());
  const banNote = byId('uploader-bans');
  banNote.hidden = bans.length === 0;
  setText('uploader-bans', bans.map((u) => `Uploader ${u.name} is suspended until ${when(u.bannedUntil)} (${countdown(u.bannedUntil)}).`).join(' '));

  table.setRows(rows);
  countStatuses();
  renderPool();
  drawUsage();
  drawRefusals();
  drawHistory();
}

/** The chosen uploader's pool, or the pool of all of them. */
function selectedPool(): Pool | null {
  if (!accounts) return null;
  return accounts.uploaders.find((x) => x.name === uploaderSelect.value)?.pool ?? accounts.pool;
}

/** The pool cards; called every second too, for the countdown. */
function renderPool(): void {
  const p = selectedPool();
  if (!p || !accounts) return;
  setText('pool-usable', `${p.usableNow} of ${p.accounts}`);
  setText('pool-usable-sub', `${p.exhausted} exhausted · ${p.banned} banned`);
  setText('pool-refused', poolRefusedWords(p));
  setText('pool-left', bytes(p.capacityLeftBytes));
  setText('pool-left-sub', `of ${bytes(p.accounts * accounts.quota.bytesPerAccount)} in the window`);
  setText('pool-reset', p.nextResetAt ? countdown(p.nextResetAt) : '—');
  setText('pool-reset-sub', p.nextResetAt ? `at ${when(p.nextResetAt)}` : 'no account has used quota yet');
  const rate = poolRateFor(live, uploaderSelect.value || null);
  const lasts = poolLastsSeconds(p, rate);
  setText('pool-lasts', lasts !== null ? duration(lasts) : '—');
  setText('pool-lasts-sub', rate > 0 ? `at the current ${speed(rate)}` : 'nothing is uploading');
  const scope = uploaderSelect.value ? `Uploader ${uploaderSelect.value}: ` : '';
  setText('pool-words', `${scope}${p.usableNow} of ${p.accounts} service accounts usable now, ${bytes(p.capacityLeftBytes)} of quota left; ${p.exhausted} exhausted, ${p.banned} banned.`);
}

const drawn = { quotaGiB: -1, refillBps: -1 };
const usageChart = new VegaView(byId('chart-usage'), specFrom('spec-usage'));
const historyChart = new VegaView(byId('chart-history'), specFrom('spec-history'));
const refusalsChart = new VegaView(byId('chart-refusals'), specFrom('spec-refusals'));
const REFUSAL_ROW_PX = 18;

/** SA × UTC day of the last 30 days: 403s and bans, beside the quota figures. */
function drawRefusals(): void {
  if (!accounts) return;
  const { rows: cells, accounts: refused } = refusalCells(accounts, uploaderSelect.value);
  byId('refusals-empty').hidden = refused > 0;
  byId('chart-refusals').hidden = refused === 0;
  setText('refusals-count', `(${refused})`);
  if (!refused) return setText('chart-refusals-desc', 'No account was refused in the last 30 days.');
  refusalsChart.update(cells, { height: Math.max(40, refused * REFUSAL_ROW_PX) });
  const worst = cells.reduce((b, c) => (c.refusals > b.refusals ? c : b));
  setText('chart-refusals-desc', `${refused} service accounts refused in the last 30 days; the most in a day: ${worst.label}.`);
}

/** One bar per account of the chosen uploader(s), most used first. */
function drawUsage(): void {
  if (!accounts) return;
  const shown = rows.filter(inUploader).sort((x, y) => y.a.usedBytes - x.a.usedBytes);
  const several = new Set(shown.map((r) => r.uploader)).size > 1;
  const data = shown.map((r, rank) => ({ id: several ? `${r.uploader}/${r.a.name}` : r.a.name, rank, usedGiB: r.a.usedBytes / GiB, status: r.a.status }));
  usageChart.update(data, { many: data.length > 40 });
  // The quota line is a data set of its own, fed only when it moves.
  const quotaGiB = accounts.quota.bytesPerAccount / GiB;
  if (quotaGiB !== drawn.quotaGiB) usageChart.update([{ usedGiB: (drawn.quotaGiB = quotaGiB) }], {}, 'quota');
  setText('usage-count', `(${shown.length})`);
  const top = shown[0];
  const over = shown.filter((r) => r.a.percent >= 90).length;
  setText(
    'chart-usage-desc',
    shown.length
      ? `Quota used per service account, most used first, against the ${accounts.quota.label} quota (dashed line). ${shown.length} accounts; ${over} at 90 % or more; the most used is ${top!.a.name} with ${bytes(top!.a.usedBytes)}.`
      : 'No service accounts.',
  );
}

/** Throughput of the last 48 h against the rate the pool's quota comes back at: above the line, the pool drains. */
function drawHistory(): void {
  const pool = selectedPool();
  if (!history || !accounts || !pool) return;
  const series = history.series.find((s) => s.key === (uploaderSelect.value ? `uploader:${uploaderSelect.value}` : 'total')) ?? history.series.find((s) => s.key === 'total');
  const data = (series?.t ?? []).map((t, i) => ({ t: t! * 1000, mibps: series!.bytesPerSecond[i] == null ? null : series!.bytesPerSecond[i]! / MiB }));
  const refillBps = (pool.accounts * accounts.quota.bytesPerAccount) / (accounts.quota.windowHours * 3600);
  historyChart.update(data);
  if (refillBps !== drawn.refillBps) historyChart.update([{ mibps: (drawn.refillBps = refillBps) / MiB }], {}, 'refill');
  const values = data.map((d) => d.mibps).filter((v): v is number => v !== null);
  const dayAgo = Date.now() / 1000 - 24 * 3600;
  const lastDay = (series?.t ?? []).reduce((n: number, t, i) => (t !== null && t >= dayAgo ? n + (series!.bytes[i] ?? 0) : n), 0);
  const avg = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
  setText(
    'chart-history-desc',
    `Throughput averaged ${avg.toFixed(1)} MiB/s over ${duration(values.length * history.stepSeconds)} of data, peaking at ${(values.length ? Math.max(...values) : 0).toFixed(1)} MiB/s. ` +
      `The dashed line is the rate the pool's quota comes back at: ${pool.accounts} × ${accounts.quota.label} per ${accounts.quota.windowHours} h = ${(refillBps / MiB).toFixed(1)} MiB/s; above it the pool drains. ` +
      `Uploaded in the last 24 h: ${bytes(lastDay)}.`,
  );
}

startPage({
  files: ['accounts', 'history-48h', 'live'],
  status: headerStatus({ name: 'Accounts', title: () => (accounts ? `${accounts.pool.usableNow} of ${accounts.pool.accounts} SAs usable` : null) }),
  onData: (name, data) => {
    if (name === 'accounts') renderAccounts(data as Accounts);
    else if (name === 'live') {
      live = data as Live;
      renderPool();
    } else if (name === 'history-48h') {
      history = data as HistoryRange;
      drawHistory();
    }
  },
  // Countdowns move every second: the pool cards and the shown page's cells that changed.
  tick: () => {
    renderPool();
    table.refresh();
  },
});
