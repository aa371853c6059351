import type { Health, InFlightTransfer, Live, Manifest, Transfers } from '../../../sidecar/contract/index.js';
import { byId, el, replaceRows, setText } from '../dom.js';
import { ago, bytes, clock, dateTime, duration, speed, when } from '../format.js';
import { Poller, sidecarStopped, type Connection } from '../poller.js';
import { sourceWords } from '../sourceWords.js';
import { ThroughputChart } from '../throughputChart.js';

const FINISHED_SHOWN = 25;

const body = document.body;
const chart = new ThroughputChart(byId('chart-throughput'), JSON.parse(byId('spec-throughput').textContent ?? '{}'), byId('chart-throughput-desc'));
let manifest: Manifest | null = null;
let connection: Connection = { state: 'connecting' };
let live: Live | null = null;
let health: Health | null = null;

function renderSources(h: Health): void {
  const list = byId('sources');
  // The sidecar's own output and site build are only worth a line when something is wrong with them.
  const shown = h.sources.filter((s) => !(s.kind === 'output' || s.kind === 'site') || s.state !== 'ok');
  replaceRows(list, JSON.stringify(shown.map((s) => [s.id, s.state, s.hint, s.lastError?.message, s.version])), () =>
    shown.map((s) =>
      el('li', { class: 'source', 'data-state': s.state, 'data-source': s.id }, el('span', { class: 'name', text: s.kind }), el('span', { class: 'words', text: sourceWords(s) }), s.hint ? el('span', { class: 'hint', text: s.hint }) : null),
    ),
  );
}

function renderLive(l: Live): void {
  const t = l.total;
  setText('stat-speed', speed(t.speed));
  setText('stat-speed-sub', `${l.instances.filter((i) => i.state === 'ok').length} of ${l.instances.length} rclone answering`);
  setText('stat-eta', t.inFlight || t.eta ? duration(t.eta) : '—');
  setText('stat-eta-sub', t.eta ? `done around ${clock(new Date(Date.now() + t.eta * 1000).toISOString())}` : '');
  setText('stat-done', bytes(t.bytes));
  setText('stat-done-of', t.totalBytes ? `of ${bytes(t.totalBytes)}` : '');
  byId<HTMLProgressElement>('stat-done-bar').value = t.totalBytes ? Math.min(100, (t.bytes / t.totalBytes) * 100) : 0;
  setText('stat-done-sub', `${t.checks} of ${t.totalChecks} checked`);
  setText('stat-transfers', `${t.transfers} of ${t.totalTransfers}`);
  setText('stat-transfers-sub', `${t.inFlight} in flight · ${t.errors} error${t.errors === 1 ? '' : 's'}`);

  const inflight = l.instances.flatMap((i) => i.transferring);
  setText('inflight-count', inflight.length ? `(${inflight.length})` : '');
  byId('inflight-empty').hidden = inflight.length > 0;
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
  if (!live || !manifest) return;
  const end = sidecarStopped(manifest) && manifest.heartbeatAt ? Date.parse(manifest.heartbeatAt) : manifest.heartbeatSeconds === 0 ? Date.parse(manifest.generatedAt) : Date.now();
  chart.update(live, end);
}

function inflightRow(key: string, t: InFlightTransfer): HTMLElement {
  const label = `Progress of ${t.name}`;
  return el('li', { 'data-key': key }, el('span', { class: 'file', text: t.name }), el('span', { class: 'meta' }), el('progress', { max: 100, value: 0, 'aria-label': label }));
}

function updateInflight(li: HTMLElement, t: InFlightTransfer): void {
  const meta = li.querySelector('.meta')!;
  const text = `${t.percentage.toFixed(0)} % · ${bytes(t.bytes)} of ${bytes(t.size)} · ${speed(t.speed)} · ETA ${duration(t.eta)}`;
  if (meta.textContent !== text) meta.textContent = text;
  li.querySelector('progress')!.value = t.percentage;
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
        el('td', { class: 'num', 'data-label': 'Speed', text: speed(t.avgSpeed) }),
        el('td', { class: t.ok ? 'result result-ok' : 'result result-bad', text: t.ok ? 'ok' : `failed: ${t.error ?? ''}` }),
      ),
    ),
  );
}

/** Once a second: data age, the stale and unreachable banners, the chart's right edge and the tab title. */
function renderFreshness(): void {
  const banner = byId('banner');
  const stopped = manifest !== null && sidecarStopped(manifest);
  let message = '';
  if (connection.state === 'unreachable') message = 'The server is unreachable — retrying. The numbers below are the last ones received.';
  else if (connection.state === 'failing') message = `The server answers, but not with plowboard's data (${connection.detail}) — retrying.`;
  else if (stopped) message = `The sidecar has stopped: no update since ${when(manifest!.heartbeatAt)}. The numbers below are old.`;
  banner.hidden = !message;
  if (banner.textContent !== message) banner.textContent = message;

  setText(
    'freshness',
    !manifest ? 'loading…' : manifest.heartbeatSeconds === 0 ? `static build from ${dateTime(manifest.generatedAt)}` : `updated ${ago(manifest.heartbeatAt ?? manifest.generatedAt)}`,
  );
  if (!stopped) drawChart();
  document.title = `${titleState(stopped)} — plowboard`;
}

function titleState(stopped: boolean): string {
  if (connection.state === 'unreachable') return 'unreachable';
  if (connection.state === 'failing') return 'error';
  if (!manifest) return 'loading';
  if (stopped) return 'stopped';
  if (live && live.total.inFlight > 0) return `▲ ${speed(live.total.speed)}`;
  if (health?.state === 'error' || health?.state === 'degraded') return health.state;
  return 'idle';
}

new Poller({
  root: body.dataset.root ?? './',
  files: ['health', 'live', 'transfers'],
  fallbackIntervalSeconds: Number(body.dataset.interval ?? 2),
  onManifest: (m) => {
    manifest = m;
  },
  onConnection: (c) => {
    connection = c;
    renderFreshness();
  },
  onData: (name, data) => {
    if (name === 'health') renderSources((health = data as Health));
    else if (name === 'live') renderLive((live = data as Live));
    else if (name === 'transfers') renderTransfers(data as Transfers);
  },
}).start();
setInterval(renderFreshness, 1000);
