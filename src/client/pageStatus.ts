import type { Manifest } from '../../sidecar/contract/index.js';
import { byId, setText } from './dom.js';
import { ago, dateTime, when } from './format.js';
import { sidecarStopped, type Connection } from './poller.js';

/**
 * The parts every page of the base layout shares: how old the data is, the banner when
 * the server is gone or the sidecar has stopped, and the tab title. Rendered once a second
 * (ages tick) and whenever the connection changes.
 */
export class PageStatus {
  manifest: Manifest | null = null;
  connection: Connection = { state: 'connecting' };

  /** `page` names the page in the tab title: "History — plowboard". */
  constructor(private readonly page: string) {
    setInterval(() => this.render(), 1000);
  }

  get stopped(): boolean {
    return this.manifest !== null && sidecarStopped(this.manifest);
  }

  setManifest(m: Manifest): void {
    this.manifest = m;
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
      this.connection.state === 'unreachable' ? 'unreachable — ' : this.connection.state === 'failing' ? 'error — ' : this.stopped ? 'stopped — ' : '';
    const title = `${state}${this.page} — plowboard`;
    if (document.title !== title) document.title = title;
  }
}
