import type { Accounts, Health, InFlightTransfer, Live, Manifest, SessionFile } from '../../../sidecar/contract/index.js';
import { byId, el, setText } from '../dom.js';
import { ago, bytes, clock, duration, speed, when } from '../format.js';
import { Poller, sidecarStopped, type Connection } from '../poller.js';
import { currentRate, fileEta, fileRateNow, scanningText } from '../liveWords.js';
import { accountText, elapsedSeconds, etaText, stageText, uploaderText } from '../sessionWords.js';
import { ThroughputChart } from '../throughputChart.js';
import { specFrom } from '../vegaView.js';

/**
 * A wall screen that runs for days: every node is made once and only its text changes,
 * there is one Vega view fed in place, and nothing accumulates (no growing lists, one
 * interval, listeners added once).
 */
const ROWS = 4;
/** Without a rebuild signal from health.json (another server, an old sidecar), the page still checks now and then. */
const REBUILD_FALLBACK_MS = 10 * 60_000;

const body = document.body;
const chart = new ThroughputChart(byId('k-chart'), specFrom('spec-kiosk-throughput'), byId('k-chart-desc'), byId('k-chart-quiet'));
let manifest: Manifest | null = null;
let connection: Connection = { state: 'connecting' };
let lastAnswerAt: number | null = null;
let live: Live | null = null;
let session: SessionFile['session'] = null;
let accounts: Accounts | null = null;

/** What the rows show, so the tick can move a stalled file's "for 3 min" on. */
let shown: InFlightTransfer[] = [];

// The in-flight rows: made once, reused, hidden when there are fewer transfers.
const rows = Array.from({ length: ROWS }, () => {
  const name = el('span', { class: 'k-file' });
  const meta = el('span', { class: 'k-meta' });
  const bar = el('progress', { max: 100, value: 0 });
  const li = el('li', { hidden: true }, name, bar, meta);
  return { li, name, meta, bar };
});
byId('k-rows').replaceChildren(...rows.map((r) => r.li));

function renderLive(l: Live): void {
  const t = l.total;
  const scanning = scanningText(l.instances);
  setText('k-speed', t.inFlight || t.speed ? speed(t.speed) : scanning ? 'scanning' : 'idle');
  setText('k-speed-sub', `${t.inFlight} in flight · ${t.errors} error${t.errors === 1 ? '' : 's'}`);
  byId<HTMLProgressElement>('k-done-bar').value = t.totalBytes ? Math.min(100, (t.bytes / t.totalBytes) * 100) : 0;
  setText('k-done', t.totalBytes ? `${bytes(t.bytes)} of ${bytes(t.totalBytes)} this run` : '');
  const inflight = l.instances.flatMap((i) => i.transferring);
  // The fastest right now, not the ones that were fast once: rclone's per-file speedAvg.
  const top = [...inflight].sort((a, b) => currentRate(b) - currentRate(a)).slice(0, ROWS);
  setText('k-inflight-count', inflight.length > ROWS ? `(top ${ROWS} of ${inflight.length})` : inflight.length ? `(${inflight.length})` : '');
  setText('k-inflight-empty', scanning ?? 'Nothing is uploading.');
  byId('k-inflight-empty').hidden = inflight.length > 0 && !scanning;
  shown = top;
  rows.forEach((r, i) => updateRow(r, top[i]));
  setText('k-chart-window', `last ${duration(l.throughput.windowSeconds)}`);
  drawChart();
}

function updateRow(r: (typeof rows)[number], t: InFlightTransfer | undefined): void {
  r.li.hidden = !t;
  if (!t) return;
  // The file name is untrusted: textContent only.
  if (r.name.textContent !== t.name) r.name.textContent = t.name;
  const meta = [`${t.percentage.toFixed(0)} %`, fileRateNow(t), fileEta(t)].filter(Boolean).join(' · ');
  if (r.meta.textContent !== meta) r.meta.textContent = meta;
  r.bar.value = t.percentage;
  r.bar.setAttribute('aria-label', `Progress of ${t.name}`);
}

function drawChart(): void {
  if (!live || !manifest) return;
  const end = sidecarStopped(manifest) && manifest.heartbeatAt ? Date.parse(manifest.heartbeatAt) : manifest.heartbeatSeconds === 0 ? Date.parse(manifest.generatedAt) : Date.now();
  chart.update(live, end);
}

function renderSession(): void {
  const s = session;
  setText('k-session-h', !s ? 'Session' : s.active ? 'Uploading now' : 'Last session');
  setText('k-uploader', s ? uploaderText(s) : 'No session known');
  setText('k-sa', s ? accountText(s) : '');
  setText('k-eta', !s ? '' : s.active ? etaText(s) : `took ${duration(elapsedSeconds(s))}${s.endedAt ? `, ended ${when(s.endedAt)}` : ''}`);
  setText('k-stage', s ? `${stageText(s)}${s.active ? ` · running ${duration(elapsedSeconds(s))}` : ''}` : '');
}

function renderAccounts(a: Accounts): void {
  const p = a.pool;
  setText('k-sas', `${p.usableNow} of ${p.accounts}`);
  setText('k-capacity', bytes(p.capacityLeftBytes));
  const next = p.nextResetAt ? Date.parse(p.nextResetAt) : null;
  setText('k-reset', next ? `next reset ${next > Date.now() ? `in ${duration((next - Date.now()) / 1000)}` : 'due'} (${clock(p.nextResetAt)})` : 'no reset pending');
}

/** The one thing to say across the top, or nothing. */
function bannerMessage(): { text: string; kind: 'bad' | 'warn' } | null {
  if (connection.state === 'unreachable' || connection.state === 'failing')
    return { text: `Sidecar gone — no answer from the server${lastAnswerAt ? ` since ${clock(new Date(lastAnswerAt).toISOString())}` : ''}`, kind: 'bad' };
  if (manifest && sidecarStopped(manifest)) return { text: `Data is stale — no update since ${when(manifest.heartbeatAt)} (${ago(manifest.heartbeatAt)})`, kind: 'bad' };
  if (live && live.instances.length && !live.instances.some((i) => i.state === 'ok')) {
    if (live.instances.every((i) => i.state === 'idle')) return { text: 'rclone is idle — nothing is uploading', kind: 'warn' };
    // It answers, and no password was refused: rclone 1.74+ wants its RC to have a user (or --rc-no-auth).
    if (live.instances.some((i) => i.state === 'auth_required')) return { text: 'rclone needs an RC user — see the health page', kind: 'warn' };
    if (live.instances.some((i) => i.state === 'auth_failed')) return { text: 'rclone refused the password', kind: 'bad' };
    return { text: 'rclone does not answer', kind: 'bad' };
  }
  return null;
}

/** Once a second: banner, ages, the clock, the chart's right edge, the elapsed time. */
function tick(): void {
  const msg = bannerMessage();
  const banner = byId('k-banner');
  banner.hidden = !msg;
  banner.dataset.kind = msg?.kind ?? '';
  if (banner.textContent !== (msg?.text ?? '')) banner.textContent = msg?.text ?? '';
  setText('k-fresh', !manifest ? 'loading…' : manifest.heartbeatSeconds === 0 ? `static build from ${when(manifest.generatedAt)}` : `updated ${ago(manifest.heartbeatAt ?? manifest.generatedAt)}`);
  setText('k-clock', clock(new Date().toISOString()));
  if (manifest && !sidecarStopped(manifest)) drawChart();
  if (shown.some((t) => t.stalledSince)) rows.forEach((r, i) => updateRow(r, shown[i]));
  if (session?.active) renderSession();
  if (accounts) renderAccounts(accounts);
  const title = `${msg ? `${msg.text.split(' — ')[0]} — ` : live?.total.inFlight ? `▲ ${speed(live.total.speed)} — ` : ''}plowboard kiosk`;
  if (document.title !== title) document.title = title;
}

/**
 * Reloads when the site was rebuilt into something else: the page fetches its own HTML
 * (a conditional request, usually a 304) when health.json says the site was built again,
 * and compares it with the HTML it started from. New asset names or templates differ;
 * a rebuild that produced the same page is not worth a reload.
 */
const rebuild = {
  html: null as string | null,
  builtAt: undefined as string | null | undefined,
  async check(): Promise<void> {
    const res = await fetch(location.pathname, { cache: 'no-cache' }).catch(() => null);
    if (!res?.ok) return;
    const html = await res.text();
    // A page caught half-written would reload into a dead screen: only a whole page counts.
    if (!html.trimEnd().endsWith('</html>')) return;
    if (this.html === null) this.html = html;
    else if (html !== this.html) location.reload();
  },
  seen(h: Health): void {
    const builtAt = h.sources.find((s) => s.kind === 'site')?.lastOkAt ?? null;
    if (builtAt === this.builtAt) return;
    this.builtAt = builtAt;
    void this.check();
  },
};

new Poller({
  root: body.dataset.root ?? './',
  files: ['live', 'session', 'accounts', 'health'],
  fallbackIntervalSeconds: Number(body.dataset.interval ?? 2),
  onManifest: (m) => {
    manifest = m;
    // The server answered, even if a data file fetched after it does not arrive.
    lastAnswerAt = Date.now();
  },
  onConnection: (c) => {
    connection = c;
    if (c.state === 'ok') lastAnswerAt = Date.now();
    tick();
  },
  onData: (name, data) => {
    if (name === 'live') renderLive((live = data as Live));
    else if (name === 'session') {
      session = (data as SessionFile).session;
      renderSession();
    } else if (name === 'accounts') renderAccounts((accounts = data as Accounts));
    else if (name === 'health') rebuild.seen(data as Health);
  },
}).start();
setInterval(tick, 1000);
setInterval(() => void rebuild.check(), REBUILD_FALLBACK_MS);
void rebuild.check();
