import type { Manifest } from '../../sidecar/contract/index.js';
import { showDemoBanner } from './demoBanner.js';
import { byId, setText } from './dom.js';
import { ago, dateTime, when } from './format.js';
import { Poller, sidecarStopped, type Connection } from './poller.js';

/**
 * The parts every page of the base layout shares: how old the data is, the banner when
 * the server is gone or the sidecar has stopped, and the tab title — what is wrong, else
 * the page's own state ("▲ 3 in flight"), then the page's name. Rendered once a second
 * (ages tick) and whenever the connection or the data changes.
 */
export class PageStatus {
  manifest: Manifest | null = null;
  connection: Connection = { state: 'connecting' };

  /** `page` names the page in the tab title: "History — plowboard". */
  constructor(
    private readonly page: string,
    private readonly pageState: () => string | null = () => null,
  ) {
    setInterval(() => this.render(), 1000);
  }

  get stopped(): boolean {
    return this.manifest !== null && sidecarStopped(this.manifest);
  }

  setManifest(m: Manifest): void {
    this.manifest = m;
    showDemoBanner(m);
  }

  setConnection(c: Connection): void {
    this.connection = c;
    this.render();
  }

  render(): void {
    const m = this.manifest;
    let message = '';
    if (this.connection.state === 'unreachable') message = 'The server is unreachable — retrying. What is shown is the last data received.';
    else if (this.connection.state === 'failing') message = `The server answers, but not with plowboard's data (${this.connection.detail}) — retrying.`;
    else if (this.stopped) message = `The sidecar has stopped: no update since ${when(m!.heartbeatAt)}. What is shown is old.`;
    const banner = byId('banner');
    banner.hidden = !message;
    if (banner.textContent !== message) banner.textContent = message;
    setText('freshness', !m ? 'loading…' : m.heartbeatSeconds === 0 ? `static build from ${dateTime(m.generatedAt)}` : `updated ${ago(m.heartbeatAt ?? m.generatedAt)}`);
    const state =
      this.connection.state === 'unreachable'
        ? 'unreachable'
        : this.connection.state === 'failing'
          ? 'error'
          : this.stopped
            ? 'stopped'
            : m
              ? this.pageState()
              : null;
    const title = `${state ? `${state} — ` : ''}${this.page} — plowboard`;
    if (document.title !== title) document.title = title;
  }
}

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

/** Polling and the shared status for a page that draws some data files. */
export function startPage(opts: PageOptions): void {
  const body = document.body;
  const status = new PageStatus(opts.name, opts.title);
  new Poller({
    root: body.dataset.root ?? './',
    files: opts.files,
    fallbackIntervalSeconds: Number(body.dataset.interval ?? 2),
    onManifest: (m) => status.setManifest(m),
    onConnection: (c) => status.setConnection(c),
    onData: (name, data) => {
      opts.onData(name, data);
      status.render();
    },
  }).start();
  setInterval(() => opts.tick?.(status.manifest), 1000);
}

/** A time as the viewer's clock (with its date when not today), how long ago in words, the full date on hover. */
export function timeText(iso: string | null | undefined, now = Date.now()): { text: string; title: string } {
  if (!iso) return { text: '—', title: '' };
  return { text: `${when(iso)} · ${ago(iso, now)}`, title: dateTime(iso) };
}
