import type { Accounts, Events, Health, InFlightTransfer, Live, SessionFile } from '../../../sidecar/contract/index.js';
import { byId, el, setText } from '../dom.js';
import { bytes, clockMinutes, duration, durationToMinute, speed, when } from '../format.js';
import { kioskStatus } from '../kioskStatus.js';
import type { PageStatus } from '../pageStatus.js';
import { currentRate, fileEta, fileRateNow, scanningText } from '../liveWords.js';
import { accountText, elapsedSeconds, etaText, stageText, uploaderText } from '../sessionWords.js';
import { poolRefusedWords } from '../../../sidecar/format/saHealth.js';
import { renderKioskEvent } from '../recentEvents.js';
import { startPage } from '../startPage.js';
import { withProgress } from '../../../sidecar/format/sessionProgress.js';
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

const chart = new ThroughputChart(byId('k-chart'), specFrom('spec-kiosk-throughput'), byId('k-chart-desc'), byId('k-chart-quiet'));
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
  // Set only when it differs: the same value set again still restyles the row, every second.
  if (r.li.hidden !== !t) r.li.hidden = !t;
  if (!t) return;
  // The file name is untrusted: textContent only.
  if (r.name.textContent !== t.name) r.name.textContent = t.name;
  const meta = [`${t.percentage.toFixed(0)} %`, fileRateNow(t), fileEta(t, Date.now(), durationToMinute)].filter(Boolean).join(' · ');
  if (r.meta.textContent !== meta) r.meta.textContent = meta;
  if (r.bar.value !== t.percentage) r.bar.value = t.percentage;
  const label = `Progress of ${t.name}`;
  if (r.bar.getAttribute('aria-label') !== label) r.bar.setAttribute('aria-label', label);
}

function drawChart(): void {
  if (!live || !page.status.manifest) return;
  chart.update(live, page.status.dataEnd());
}

function renderSession(): void {
  // live.json has an active session's moving figures at every poll; session.json every half beat.
  const s = withProgress(session, live);
  setText('k-session-h', !s ? 'Session' : s.active ? 'Uploading now' : 'Last session');
  setText('k-uploader', s ? uploaderText(s) : 'No session known');
  setText('k-sa', s ? accountText(s) : '');
  setText('k-eta', !s ? '' : s.active ? etaText(s) : `took ${duration(elapsedSeconds(s))}${s.endedAt ? `, ended ${when(s.endedAt)}` : ''}`);
  setText('k-stage', s ? `${stageText(s)}${s.active ? ` · running ${durationToMinute(elapsedSeconds(s))}` : ''}` : '');
}

function renderAccounts(a: Accounts): void {
  const p = a.pool;
  setText('k-sas', `${p.usableNow} of ${p.accounts}`);
  setText('k-sas-refused', poolRefusedWords(p));
  setText('k-capacity', bytes(p.capacityLeftBytes));
  const next = p.nextResetAt ? Date.parse(p.nextResetAt) : null;
  setText('k-reset', next ? `next reset ${next > Date.now() ? `in ${durationToMinute((next - Date.now()) / 1000)}` : 'due'} (${clockMinutes(p.nextResetAt)})` : 'no reset pending');
}

/** Once a second, after the banner and freshness: the clock, the chart's right edge, the elapsed time (each changes only to the minute). */
function tick(status: PageStatus): void {
  setText('k-clock', clockMinutes(new Date().toISOString()));
  if (status.manifest && !status.stopped) drawChart();
  if (shown.some((t) => t.stalledSince)) rows.forEach((r, i) => updateRow(r, shown[i]));
  if (session?.active) renderSession();
  if (accounts) renderAccounts(accounts);
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

const page = startPage({
  files: ['live', 'session', 'accounts', 'health', 'events'],
  status: kioskStatus({ instances: () => live?.instances ?? [], title: () => (live?.total.inFlight ? `▲ ${speed(live.total.speed)}` : null) }),
  onData: (name, data) => {
    if (name === 'live') renderLive((live = data as Live));
    else if (name === 'session') {
      session = (data as SessionFile).session;
      renderSession();
    } else if (name === 'accounts') renderAccounts((accounts = data as Accounts));
    else if (name === 'health') rebuild.seen(data as Health);
    else if (name === 'events') renderKioskEvent(data as Events);
  },
  tick,
});
setInterval(() => void rebuild.check(), REBUILD_FALLBACK_MS);
void rebuild.check();
