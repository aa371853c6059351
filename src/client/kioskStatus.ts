import type { LiveInstance } from '../../sidecar/contract/index.js';
import { byId, setText } from './dom.js';
import { when } from './format.js';
import type { StatusView } from './startPage.js';
import { freshnessText, kioskBanner } from './statusWords.js';

export interface KioskOptions {
  /** The rclone instances of the last live.json (none before it): their state can fill the banner. */
  instances(): readonly Pick<LiveInstance, 'state'>[];
  /** The kiosk's own state for the tab title while nothing is wrong ("▲ 12 MiB/s"), or null. */
  title(): string | null;
}

/** The kiosk layout's share of the status: its banner across the top, the freshness in its footer, the tab title. */
export function kioskStatus(opts: KioskOptions): StatusView {
  return {
    render(s) {
      const msg = kioskBanner(s, opts.instances());
      const banner = byId('k-banner');
      // Only what changed is set: an attribute set to its own value still restyles the page, every second.
      if (banner.hidden !== !msg) banner.hidden = !msg;
      if (banner.dataset.kind !== (msg?.kind ?? '')) banner.dataset.kind = msg?.kind ?? '';
      if (banner.textContent !== (msg?.text ?? '')) banner.textContent = msg?.text ?? '';
      // Read from across a room, "updated 3 s ago" counting every second says nothing new: while
      // the sidecar beats and the server answers, the data is live; else how old it is.
      const live = s.connection.state === 'ok' && s.manifest !== null && s.manifest.heartbeatSeconds > 0 && !s.stopped;
      setText('k-fresh', live ? 'live' : freshnessText(s, when));
      // The banner's first words are the title's: "Sidecar gone — plowboard kiosk".
      const state = msg ? msg.text.split(' — ')[0] : opts.title();
      const title = `${state ? `${state} — ` : ''}plowboard kiosk`;
      if (document.title !== title) document.title = title;
    },
  };
}
