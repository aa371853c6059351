import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import { Poller } from '../src/client/poller.js';
import { summarize, timedGet, type Count, type PollResult } from './pagePollers.js';

/**
 * Many plowboard viewers without many browsers, asking exactly what a page asks: each is
 * the pages' own Poller (src/client/poller.ts), run in Node. An emulation written beside it
 * drifts: the one this replaced never fetched live.json, session.json or heartbeat.json
 * again after the first poll (they are polled directly, not announced by changedAt) and
 * never slowed to the idle interval, so its "exact requests" were not the page's.
 *
 * What a browser gives the Poller is given here per viewer (one AsyncLocalStorage store,
 * which its timers and promises carry): `fetch` with `cache: 'no-cache'` as Chromium does
 * it (its own keep-alive connections, If-None-Match with the ETag it holds, a 304 handed on
 * as the copy it holds), `window`'s timers, and a `document` that stays visible until the
 * run ends.
 */
interface Tab {
  agent: http.Agent;
  held: Map<string, { etag: string; body: Buffer }>;
  count: Count;
}

const tabs = new AsyncLocalStorage<Tab>();

async function tabFetch(tab: Tab, url: URL): Promise<Response> {
  const held = tab.held.get(url.pathname);
  const a = await timedGet(tab.agent, url, url.pathname + url.search, held ? { 'if-none-match': held.etag } : {}, tab.count);
  if (!a) throw new TypeError('fetch failed');
  if (a.status === 304 && held) return new Response(held.body.toString(), { status: 200 });
  if (a.status === 200 && a.etag) tab.held.set(url.pathname, { etag: a.etag, body: a.body });
  return new Response(a.status === 304 ? null : a.body.toString(), { status: a.status });
}

/** `pollers` page Pollers drawing `files` against `baseUrl` for `durationMs`, their starts spread over `spreadMs`. */
export async function runRealPollers(opts: { baseUrl: string; pollers: number; durationMs: number; files: string[]; spreadMs: number }): Promise<PollResult> {
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  let inFlight = 0;
  const visibility: Array<() => void> = [];
  const doc = { hidden: false, addEventListener: (_type: string, fn: () => void) => visibility.push(fn) };
  const g = globalThis as unknown as Record<string, unknown>;
  const saved = { fetch: g.fetch, window: g.window, document: g.document };
  const nodeFetch = globalThis.fetch;
  // Only the bench's other callers (waits, rclone's stats) reach Node's own fetch.
  g.fetch = (input: string | URL, init?: RequestInit) => {
    const tab = tabs.getStore();
    if (!tab) return nodeFetch(input, init);
    inFlight++;
    return tabFetch(tab, new URL(String(input))).finally(() => inFlight--);
  };
  g.window = { setTimeout, clearTimeout };
  g.document = doc;
  const agents: http.Agent[] = [];
  const starts: NodeJS.Timeout[] = [];
  try {
    for (let i = 0; i < opts.pollers; i++) {
      // A browser keeps up to six connections to a host alive.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
      agents.push(agent);
      const tab: Tab = {
        agent,
        held: new Map(),
        count: (a, ms) => {
          if (!a) errors++;
          else bytes += a.bytes;
          latencies.push(ms);
        },
      };
      const poller = new Poller({ root: `${opts.baseUrl.replace(/\/$/, '')}/`, files: opts.files, fallbackIntervalSeconds: 2, onData: () => undefined, onManifest: () => undefined, onConnection: () => undefined });
      starts.push(setTimeout(() => tabs.run(tab, () => poller.start()), (opts.spreadMs * i) / opts.pollers));
    }
    await new Promise((r) => setTimeout(r, opts.durationMs));
  } finally {
    for (const t of starts) clearTimeout(t);
    // As a tab hidden: every Poller clears its timer; the polls under way end before the globals go.
    doc.hidden = true;
    for (const fn of visibility) fn();
    for (let quiet = 0; quiet < 5; quiet = inFlight === 0 ? quiet + 1 : 0) await new Promise((r) => setTimeout(r, 100));
    Object.assign(g, saved);
    for (const a of agents) a.destroy();
  }
  return summarize(latencies, errors, bytes);
}
