import type { Manifest } from '../../sidecar/contract/index.js';

export type Connection = 'connecting' | 'ok' | 'unreachable';

export interface PollerOptions {
  root: string;
  /** Data files this page draws, by name (live, transfers, …). */
  files: string[];
  fallbackIntervalSeconds: number;
  onData(name: string, data: unknown): void;
  onManifest(manifest: Manifest): void;
  onConnection(state: Connection): void;
}

const MAX_BACKOFF_MS = 60_000;

/**
 * Polls data/index.json on the sidecar's interval and fetches a data file only when the
 * manifest says it changed. `cache: 'no-cache'` makes the browser revalidate with its
 * ETag, so an unchanged manifest costs a 304. Paused while the tab is hidden; backs off
 * while the server does not answer.
 */
export class Poller {
  private readonly seen = new Map<string, string | null>();
  private timer: number | undefined;
  private failures = 0;
  private intervalMs: number;

  constructor(private readonly opts: PollerOptions) {
    this.intervalMs = opts.fallbackIntervalSeconds * 1000;
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) window.clearTimeout(this.timer);
      else this.schedule(0);
    });
  }

  start(): void {
    this.opts.onConnection('connecting');
    this.schedule(0);
  }

  private schedule(ms: number): void {
    window.clearTimeout(this.timer);
    if (document.hidden) return;
    this.timer = window.setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    try {
      const manifest = (await this.get('data/index.json')) as Manifest;
      this.intervalMs = Math.max(200, manifest.intervals.activeSeconds * 1000);
      this.opts.onManifest(manifest);
      for (const name of this.opts.files) {
        const changedAt = manifest.files.find((f) => f.name === name)?.changedAt ?? null;
        if (this.seen.has(name) && this.seen.get(name) === changedAt) continue;
        this.opts.onData(name, await this.get(`data/${name}.json`));
        this.seen.set(name, changedAt);
      }
      this.failures = 0;
      this.opts.onConnection('ok');
      this.schedule(this.intervalMs);
    } catch {
      this.failures++;
      this.opts.onConnection('unreachable');
      this.schedule(Math.min(MAX_BACKOFF_MS, this.intervalMs * 2 ** this.failures));
    }
  }

  private async get(path: string): Promise<unknown> {
    const res = await fetch(this.opts.root + path, { cache: 'no-cache' });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return res.json();
  }
}

/** The sidecar has stopped when its heartbeat is older than two beats and an interval. */
export function sidecarStopped(m: Manifest, now = Date.now()): boolean {
  if (!m.heartbeatSeconds || !m.heartbeatAt) return false;
  return now - Date.parse(m.heartbeatAt) > (2 * m.heartbeatSeconds + m.intervals.activeSeconds) * 1000;
}
