import type { Manifest } from '../../sidecar/contract/index.js';
import { showDemoBanner } from './demoBanner.js';
import { PageStatus } from './pageStatus.js';
import { Poller } from './poller.js';

/** How a layout shows the status: the base layout's header (headerStatus.ts) or the kiosk's banner and footer (kioskStatus.ts). */
export interface StatusView {
  render(status: PageStatus): void;
}

// Read once, from what the build wrote on <body> (templates/layouts). The root is
// relative ("../" one folder down), so the site works under any path.
const body = document.body;
export const siteRoot = body.dataset.root ?? './';
// Every layout writes data-interval; the sidecar's default of 2 s only stands in for a
// page without it, and the manifest's interval takes over from the first answer.
const fallbackIntervalSeconds = Number(body.dataset.interval ?? 2);

export interface PageOptions {
  /** Data files the page draws; the returned poller's watch() changes them. */
  files: string[];
  /** The layout's way of showing freshness, banners and the tab title. */
  status: StatusView;
  onData(name: string, data: unknown): void;
  /** Every manifest read, before the data files it names (the health page lists them). */
  onManifest?(manifest: Manifest): void;
  /** Once a second, after the status: clocks, ages and countdowns that move between polls. */
  tick?(status: PageStatus): void;
}

export interface Page {
  status: PageStatus;
  poller: Poller;
}

/**
 * The one start-up every page makes: polls the data files (conditional requests, backing
 * off while the server is gone, paused while the tab is hidden), keeps the status, shows
 * the demo banner, and renders the status whenever the connection or data changes and
 * once a second, for ages tick.
 */
export function startPage(opts: PageOptions): Page {
  const status = new PageStatus();
  const render = () => opts.status.render(status);
  const poller = new Poller({
    root: siteRoot,
    files: opts.files,
    fallbackIntervalSeconds,
    onManifest: (m) => {
      status.manifest = m;
      // The server answered, even if a data file fetched after it does not arrive.
      status.lastAnswerAt = Date.now();
      showDemoBanner(m);
      opts.onManifest?.(m);
    },
    onHeartbeat: (h) => {
      status.heartbeat = h;
    },
    onConnection: (c) => {
      status.connection = c;
      if (c.state === 'ok') status.lastAnswerAt = Date.now();
      render();
    },
    onData: (name, data) => {
      opts.onData(name, data);
      render();
    },
  });
  setInterval(() => {
    render();
    opts.tick?.(status);
  }, 1000);
  poller.start();
  return { status, poller };
}
