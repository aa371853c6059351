import type { Accounts, Events, Health, InFlightTransfer, Live, Logs, SessionFile, Transfers } from '../../../sidecar/contract/index.js';
import { byId, el, replaceRows, setText } from '../dom.js';
import { bytes, clock, dateTime, duration, speed, when } from '../format.js';
import { headerStatus } from '../headerStatus.js';
import type { PageStatus } from '../pageStatus.js';
import { destination, etaWords, fileEta, fileRates, finishedSpeed, movedText, queuedText, restartedText, scanningText, uploadAvgText } from '../liveWords.js';
import { accountText, elapsedSeconds, etaText, forkText, sessionHeading, stageText, uploaderText, whyText } from '../sessionWords.js';
import { sourceWords } from '../sourceWords.js';
import { poolRefusedWords } from '../../../sidecar/format/saHealth.js';
import { renderRecentEvents, tickRecentEvents } from '../recentEvents.js';
import { startPage } from '../startPage.js';
import { withProgress } from '../../../sidecar/format/sessionProgress.js';
import { NOTHING_TO_WATCH, nothingToWatch } from '../../../sidecar/format/nothingToWatch.js';
import { poolLastsSeconds, poolRateFor } from '../../../sidecar/format/poolForecast.js';
import { ThroughputChart } from '../throughputChart.js';

const FINISHED_SHOWN = 25;
const NEAREST_SHOWN = 5;
const LOG_LINES_SHOWN = 10;

const chart = new ThroughputChart(byId('chart-throughput'), JSON.parse(byId('spec-throughput').textContent ?? '{}'), byId('chart-throughput-desc'), byId('chart-throughput-quiet'));
let live: Live | null = null;
let health: Health | null = null;
let session: SessionFile['session'] = null;
let accounts: Accounts | null = null;

/** Files only the cloudplow fork writes: their absence is normal for upstream cloudplow. */
const FORK_ONLY = new Set(['cloudplow:sa_quota_cache.json', 'cloudplow:dashboard_session_state.json', 'cloudplow:learned_sizes_cache.json', 'cloudplow:transfer-stats']);

function renderSources(h: Health): void {
  const list = byId('sources');
  // A first start with nothing to read: one line that says how to go on, not a list of absences.
  if (nothingToWatch(h.sources)) {
    replaceRows(list, 'nothing', () => [el('li', { class: 'source', 'data-state': 'missing', 'data-source': 'nothing' }, el('span', { class: 'words', text: NOTHING_TO_WATCH }))]);
    return;
  }
  // The sidecar's own folders and build, and cloudplow's files, are worth a line each only
  // when something is wrong with them; the rest is summed up in one line.
  const quiet = (s: Health['sources'][number]) =>
    s.state === 'ok' ? ['output', 'site', 'state', 'cloudplow'].includes(s.kind) : s.state === 'missing' && FORK_ONLY.has(s.id);
  const shown = h.sources.filter((s) => !quiet(s));
  const fine = h.sources.filter((s) => s.kind === 'cloudplow' && s.state === 'ok').length;
  const absent = h.sources.filter((s) => s.state === 'missing' && FORK_ONLY.has(s.id)).length;
  const summary = fine + absent ? `${fine} of cloudplow's files read fine${absent ? `; ${absent} that only the cloudplow fork writes are not there` : ''}.` : null;
  replaceRows(list, JSON.stringify([summary, ...shown.map((s) => [s.id, s.state, s.hint, s.lastError?.message, s.version])]), () => [
    ...shown.map((s) =>
      el('li', { class: 'source', 'data-state': s.state, 'data-source': s.id }, el('span', { class: 'name', text: s.kind }), el('span', { class: 'words', text: sourceWords(s) }), s.hint ? el('span', { class: 'hint', text: s.hint }) : null),
    ),
    ...(summary ? [el('li', { class: 'source', 'data-state': 'ok', 'data-source': 'cloudplow:*' }, el('span', { class: 'name', text: 'cloudplow' }), el('span', { class: 'words', text: summary }))] : []),
  ]);
}

function renderLive(l: Live): void {
  const t = l.total;
  const scanning = scanningText(l.instances);
  setText('stat-speed', speed(t.speed));
  setText('stat-speed-sub', `${l.instances.filter((i) => i.state === 'ok').length} of ${l.instances.length} rclone answering`);
  setText('stat-speed-avg', uploadAvgText(l.instances) ?? '');
  setText('stat-eta', t.inFlight || t.eta ? etaWords(t.eta) : '—');
  setText('stat-eta-sub', scanning && !t.inFlight ? 'scanning the source' : t.eta ? `done around ${clock(new Date(Date.now() + t.eta * 1000).toISOString())}` : '');
  setText('stat-done', bytes(t.bytes));
  setText('stat-done-of', t.totalBytes ? `of ${bytes(t.totalBytes)}` : '');
  byId<HTMLProgressElement>('stat-done-bar').value = t.totalBytes ? Math.min(100, (t.bytes / t.totalBytes) * 100) : 0;
  setText('stat-done-sub', `${t.checks} of ${t.totalChecks} checked`);
  setText('stat-transfers', `${t.transfers} of ${t.totalTransfers}`);
  setText('stat-transfers-sub', `${t.inFlight} in flight · ${t.errors} error${t.errors === 1 ? '' : 's'}`);
  const queued = queuedText(t);
  setText('stat-queued', queued?.text ?? '');
  byId('stat-queued').title = queued?.title ?? '';
  setText('stat-moved', movedText(t) ?? '');
  setText('stat-restarted', restartedText(l.instances) ?? '');

  const inflight = l.instances.flatMap((i) => i.transferring);
  setText('inflight-count', inflight.length ? `(${inflight.length})` : '');
  setText('inflight-scanning', scanning ?? '');
  byId('inflight-scanning').hidden = !scanning;
  byId('inflight-empty').hidden = inflight.length > 0 || !!scanning;
  const list = byId('inflight');
  // Rows are keyed by file, and only their numbers change between polls.
  const existing = new Map([...list.children].map((li) => [(li as HTMLElement).dataset.key, li as HTMLElement]));
  const rows = inflight.map((t) => {
    const key = `${t.instance}\u0000${t.name}`;
    const li = existing.get(key) ?? inflightRow(key, t);
    updateInflight(li, t);
    return li;
  });
  if (rows.length !== list.children.length || rows.some((r, i) => list.children[i] !== r)) list.replaceChildren(...rows);
  setText('chart-window', `(last ${duration(l.throughput.windowSeconds)})`);
  drawChart();
}

/** Redrawn on every tick too: the last value holds up to now even while live.json does not change. */
function drawChart(): void {
  if (!live || !page.status.manifest) return;
  chart.update(live, page.status.dataEnd());
}

function inflightRow(key: string, t: InFlightTransfer): HTMLElement {
  const label = `Progress of ${t.name}`;
  return el('li', { 'data-key': key }, el('span', { class: 'file', text: t.name }), el('span', { class: 'meta' }), el('span', { class: 'dest' }), el('progress', { max: 100, value: 0, 'aria-label': label }));
}

function updateInflight(li: HTMLElement, t: InFlightTransfer): void {
  const meta = li.querySelector('.meta')!;
  const text = `${t.percentage.toFixed(0)} % · ${bytes(t.bytes)} of ${bytes(t.size)} · ${fileRates(t)} · ${fileEta(t)}`;
  if (meta.textContent !== text) meta.textContent = text;
  li.dataset.stalled = String(!!t.stalledSince);
  const dest = li.querySelector('.dest')!;
  const to = destination(t) ?? '';
  if (dest.textContent !== to) dest.textContent = to;
  li.querySelector('progress')!.value = t.percentage;
}

function refreshStalled(li: HTMLElement): void {
  const t = live?.instances.flatMap((i) => i.transferring).find((x) => `${x.instance}\u0000${x.name}` === li.dataset.key);
  if (t) updateInflight(li, t);
}

function renderTransfers(tr: Transfers): void {
  const recent = tr.transfers.slice(0, FINISHED_SHOWN);
  byId('finished-empty').hidden = recent.length > 0;
  replaceRows(byId('finished'), recent.map((t) => t.id).join(','), () =>
    recent.map((t) =>
      el(
        'tr',
        { class: t.ok ? '' : 'failed' },
        // data-label names the column when a phone stacks the cells (see site.css).
        el('td', { class: 'file', text: t.name }),
        el('td', { class: 'num', 'data-label': 'Size', text: bytes(t.size) }),
        el('td', { class: 'num', 'data-label': 'Finished', text: when(t.completedAt), title: dateTime(t.completedAt) }),
        el('td', { class: 'num', 'data-label': 'Took', text: duration(t.durationSeconds) }),
        el('td', { class: 'num', 'data-label': 'Speed', text: finishedSpeed(t) }),
        el('td', { class: t.ok ? 'result result-ok' : 'result result-bad', text: t.ok ? 'ok' : `failed: ${t.error ?? ''}` }),
      ),
    ),
  );
}

function renderSession(): void {
  // live.json has an active session's moving figures at every poll; session.json every half beat.
  const s = withProgress(session, live);
  const box = byId('session');
  box.dataset.active = s ? String(s.active) : 'none';
  byId('session-facts').hidden = !s;
  if (!s) {
    setText('session-line', 'No upload session known yet.');
    setText('session-why', '');
    return;
  }
  const elapsed = duration(elapsedSeconds(s));
  setText('session-line', `${sessionHeading(s)}: ${uploaderText(s)}, ${accountText(s)}${s.account.name ? ` (${s.account.name})` : ''}, ${stageText(s)}, ${s.active ? `running ${elapsed}` : `took ${elapsed}`}, ${etaText(s)}.`);
  setText('session-why', [s.active ? null : s.endedAt ? `Ended ${when(s.endedAt)}.` : null, whyText(s), `From ${s.from}.`, forkText(s)].filter(Boolean).join(' '));
  setText('session-status', `${sessionHeading(s)}: ${uploaderText(s)}, ${accountText(s)}.`);
  setText('session-uploader', uploaderText(s));
  setText('session-account', `${accountText(s)}${s.account.name ? ` · ${s.account.name}` : ''}`);
  setText('session-stage', stageText(s));
  setText('session-elapsed-label', s.active ? 'Elapsed' : 'Took');
  setText('session-elapsed', elapsed);
  setText('session-eta', s.active && s.etaSeconds != null ? `${duration(s.etaSeconds)} (around ${clock(new Date(Date.now() + s.etaSeconds * 1000).toISOString())})` : etaText(s));
  setText('session-files', `${s.files.done}${s.files.total == null ? '' : ` of ${s.files.total}`} · ${bytes(s.bytes.done)}${s.bytes.total == null ? '' : ` of ${bytes(s.bytes.total)}`}`);
}

function renderAccounts(a: Accounts): void {
  const p = a.pool;
  setText('stat-sas', `${p.usableNow} of ${p.accounts}`);
  setText('stat-sas-sub', `${p.exhausted} exhausted · ${p.banned} banned`);
  setText('stat-sas-refused', poolRefusedWords(p));
  setText('stat-pool', bytes(p.capacityLeftBytes));
  renderPoolLasts(a);
  // The ones about to run out: still usable, most used first.
  const nearest = a.uploaders
    .flatMap((u) => u.accounts.filter((x) => x.status === 'active' || x.status === 'available').map((x) => ({ uploader: u.name, ...x })))
    .sort((x, y) => y.percent - x.percent)
    .slice(0, NEAREST_SHOWN);
  byId('nearest-empty').hidden = nearest.length > 0;
  replaceRows(byId('nearest'), JSON.stringify(nearest.map((x) => [x.uploader, x.name, x.usedBytes, x.status, x.resetAt])), () =>
    nearest.map((x) =>
      el(
        'tr',
        { 'data-status': x.status },
        el('th', { scope: 'row', class: 'file' }, el('span', { text: x.name }), x.status === 'active' ? el('span', { class: 'tag', text: 'in use' }) : null),
        el('td', { text: x.uploader }),
        el('td', { class: 'num' }, el('span', { text: `${x.percent.toFixed(0)} % · ${bytes(x.usedBytes)}` }), el('progress', { max: 100, value: Math.min(100, x.percent), 'aria-label': `${x.name}: ${x.percent.toFixed(0)} % of its quota used` })),
        el('td', { class: 'num', text: bytes(x.remainingBytes) }),
        el('td', { class: 'num', text: when(x.resetAt), title: dateTime(x.resetAt) }),
      ),
    ),
  );
}

/** How long the pool lasts: its capacity (accounts.json, which stands) at live.json's rate (which moves), so it is drawn again with each. */
function renderPoolLasts(a: Accounts): void {
  const p = a.pool;
  const lasts = poolLastsSeconds(p, poolRateFor(live, null));
  setText('stat-pool-sub', [lasts != null ? `lasts ${duration(lasts)} at this speed` : null, p.nextResetAt ? `next reset ${when(p.nextResetAt)}` : null].filter(Boolean).join(' · '));
}

function renderLogs(l: Logs): void {
  const lines = l.lines.slice(-LOG_LINES_SHOWN);
  byId('log-empty').hidden = lines.length > 0;
  replaceRows(byId('log-lines'), JSON.stringify(lines), () =>
    lines.map((line) =>
      el(
        'li',
        { 'data-level': (line.level ?? '').toLowerCase() },
        el('time', { datetime: line.time ?? undefined, text: when(line.time), title: dateTime(line.time) }),
        el('span', { class: 'level', text: line.level ?? '' }),
        el('span', { class: 'message', text: line.message }),
      ),
    ),
  );
}

/** Once a second, after the header's freshness and banners: the chart's right edge, stalled files' "for 3 min", the session's elapsed time. */
function tick(status: PageStatus): void {
  if (!status.stopped) drawChart();
  if (live) for (const li of byId('inflight').children) if ((li as HTMLElement).dataset.stalled === 'true') refreshStalled(li as HTMLElement);
  if (session?.active) renderSession();
  tickRecentEvents();
}

/** The overview's tab title has no page name: its state, "— plowboard". */
function titleState(status: PageStatus): string {
  if (!status.manifest) return 'loading';
  if (live && live.total.inFlight > 0) return `▲ ${speed(live.total.speed)}${accounts?.pool.accounts ? ` · ${accounts.pool.usableNow} SA${accounts.pool.usableNow === 1 ? '' : 's'} left` : ''}`;
  if (health?.state === 'error' || health?.state === 'degraded') return health.state;
  if (live && scanningText(live.instances)) return 'scanning';
  return 'idle';
}

const page = startPage({
  files: ['health', 'live', 'transfers', 'session', 'accounts', 'logs', 'events'],
  status: headerStatus({ name: null, shown: 'numbers', title: titleState }),
  onData: (name, data) => {
    if (name === 'health') renderSources((health = data as Health));
    else if (name === 'live') {
      renderLive((live = data as Live));
      if (accounts) renderPoolLasts(accounts);
    }
    else if (name === 'transfers') renderTransfers(data as Transfers);
    else if (name === 'session') {
      session = (data as SessionFile).session;
      renderSession();
    } else if (name === 'accounts') renderAccounts((accounts = data as Accounts));
    else if (name === 'logs') renderLogs(data as Logs);
    else if (name === 'events') renderRecentEvents(data as Events);
  },
  tick,
});
