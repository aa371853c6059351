import type { Manifest } from '../../sidecar/contract/index.js';
import { byId, setText } from './dom.js';
import { ago, dateTime, when } from './format.js';
import { Poller, sidecarStopped, type Connection } from './poller.js';

export interface PageOptions {
  /** The page's name in the tab title. */
  name: string;
  /** Data files the page draws. */
  files: string[];
  onData(name: string, data: unknown): void;
  /** The page's own state for the tab title while all is well ("▲ 3 in flight"), or null while it has no data. */
  title(): string | null;
  /** Once a second, after the freshness line: clocks and countdowns. */
  tick?(manifest: Manifest | null): void;
}

/**
 * What every data page shares with the overview: polling, how old the data is, the
 * unreachable / stopped banner, and the tab title (the page's state, or what is wrong).
 */
export function startPage(opts: PageOptions): void {
  const body = document.body;
  let manifest: Manifest | null = null;
  let connection: Connection = { state: 'connecting' };

  const render = () => {
    const stopped = manifest !== null && sidecarStopped(manifest);
    let message = '';
    if (connection.state === 'unreachable') message = 'The server is unreachable — retrying. What is shown is the last data received.';
    else if (connection.state === 'failing') message = `The server answers, but not with plowboard's data (${connection.detail}) — retrying.`;
    else if (stopped) message = `The sidecar has stopped: no update since ${when(manifest!.heartbeatAt)}. What is shown is old.`;
    const banner = byId('banner');
    banner.hidden = !message;
    if (banner.textContent !== message) banner.textContent = message;
    setText(
      'freshness',
      !manifest ? 'loading…' : manifest.heartbeatSeconds === 0 ? `static build from ${dateTime(manifest.generatedAt)}` : `updated ${ago(manifest.heartbeatAt ?? manifest.generatedAt)}`,
    );
    const state =
      connection.state === 'unreachable' ? 'unreachable' : connection.state === 'failing' ? 'error' : !manifest ? 'loading' : stopped ? 'stopped' : (opts.title() ?? 'loading');
    const title = `${state} — ${opts.name} — plowboard`;
    if (document.title !== title) document.title = title;
    opts.tick?.(manifest);
  };

  new Poller({
    root: body.dataset.root ?? './',
    files: opts.files,
    fallbackIntervalSeconds: Number(body.dataset.interval ?? 2),
    onManifest: (m) => {
      manifest = m;
    },
    onConnection: (c) => {
      connection = c;
      render();
    },
    onData: (name, data) => {
      opts.onData(name, data);
      render();
    },
  }).start();
  setInterval(render, 1000);
}

/** A time as the viewer's clock (with its date when not today), how long ago in words, the full date on hover. */
export function timeText(iso: string | null | undefined, now = Date.now()): { text: string; title: string } {
  if (!iso) return { text: '—', title: '' };
  return { text: `${when(iso)} · ${ago(iso, now)}`, title: dateTime(iso) };
}
