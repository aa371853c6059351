import type { Heartbeat, Manifest } from '../../sidecar/contract/index.js';

/** `unreachable`: no answer at all; `failing`: the server answered, but not with the data. */
export type Connection = { state: 'connecting' | 'ok' | 'unreachable' } | { state: 'failing'; detail: string };

export interface PollerOptions {
  root: string;
  /** Data files this page draws, by name (live, transfers, …). */
  files: string[];
  fallbackIntervalSeconds: number;
  onData(name: string, data: unknown): void;
  onManifest(manifest: Manifest): void;
  /** Each new heartbeat.json (not again while it stands). */
  onHeartbeat?(heartbeat: Heartbeat): void;
  onConnection(connection: Connection): void;
}

const MAX_BACKOFF_MS = 60_000;
/**
 * Polls that brought nothing new before the page slows to the sidecar's idle interval. Between
 * uploads the sidecar itself asks rclone only that often, so a faster poll finds nothing; the
 * first change (an upload starting, a ban) brings the page back to the active interval.
 */
const QUIET_POLLS = 3;

class HttpError extends Error {}

/**
 * Polls data/index.json on the sidecar's interval and fetches a data file only when the
 * manifest says it changed; the files it marks `polled: "directly"` (live.json, the
 * heartbeat…), which change too often to be announced there, are fetched every interval
 * instead. `cache: 'no-cache'` makes the browser revalidate with its ETag, so an unchanged
 * file costs a 304. While nothing changes it polls at the sidecar's idle interval. Paused
 * while the tab is hidden; backs off while the server does not answer.
 */
export class Poller {
  private readonly seen = new Map<string, string>();
  /** The text last handed on for each file polled directly: a 304 reaches fetch() as the same text again. */
  private readonly lastText = new Map<string, string>();
  private timer: number | undefined;
  private failures = 0;
  private intervalMs: number;
  private idleIntervalMs: number;
  /** Polls in a row that handed no data file on. */
  private quietPolls = 0;
  /** When heartbeat.json was last asked for, and the beat it last said (see tick). */
  private heartbeatAskedAt = -Infinity;
  private beatAt = -Infinity;

  constructor(private readonly opts: PollerOptions) {
    this.intervalMs = opts.fallbackIntervalSeconds * 1000;
    this.idleIntervalMs = this.intervalMs;
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) window.clearTimeout(this.timer);
      else this.schedule(0);
    });
  }

  start(): void {
    this.opts.onConnection({ state: 'connecting' });
    this.schedule(0);
  }

  /**
   * Changes which data files are fetched (a page's range switch) and polls at once. A file
   * not watched for a while is fetched again only if its changedAt moved since it was last read.
   */
  watch(files: string[]): void {
    this.opts.files = files;
    this.quietPolls = 0;
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
      this.idleIntervalMs = Math.max(this.intervalMs, (manifest.intervals.idleSeconds ?? 0) * 1000);
      let news = false;
      this.opts.onManifest(manifest);
      // A one-off build writes its heartbeat once: nothing to poll. The beat is new once per
      // heartbeat, and each request costs the server the same, answered 304 or not: it is asked
      // for every half beat, and with every poll only once the next beat is due (the last one
      // read is a beat old), so a sidecar that comes back is seen at the next poll.
      const now = Date.now();
      const beatMs = manifest.heartbeatSeconds * 1000;
      if (beatMs > 0 && listed(manifest, 'heartbeat') && (now - this.heartbeatAskedAt >= beatMs / 2 || now - this.beatAt >= beatMs)) {
        this.heartbeatAskedAt = now;
        const beat = (await this.getIfNew('heartbeat')) as Heartbeat | null;
        if (beat) {
          this.beatAt = Date.parse(beat.heartbeatAt) || -Infinity;
          this.opts.onHeartbeat?.(beat);
        }
      }
      for (const name of this.opts.files) {
        const entry = manifest.files.find((f) => f.name === name);
        // No changedAt: this sidecar has not written the file (yet), so there is nothing to fetch.
        const changedAt = entry?.changedAt;
        if (!changedAt) continue;
        if (entry.polled === 'directly') {
          const data = await this.getIfNew(name);
          if (data !== null) {
            this.opts.onData(name, data);
            news = true;
          }
          continue;
        }
        if (this.seen.get(name) === changedAt) continue;
        this.opts.onData(name, await this.get(`data/${name}.json`));
        this.seen.set(name, changedAt);
        news = true;
      }
      this.failures = 0;
      this.opts.onConnection({ state: 'ok' });
      this.quietPolls = news ? 0 : this.quietPolls + 1;
      this.schedule(this.quietPolls >= QUIET_POLLS ? this.idleIntervalMs : this.intervalMs);
    } catch (err) {
      this.failures++;
      this.opts.onConnection(err instanceof HttpError ? { state: 'failing', detail: err.message } : { state: 'unreachable' });
      this.schedule(Math.min(MAX_BACKOFF_MS, this.intervalMs * 2 ** this.failures));
    }
  }

  /** A file polled directly, parsed, or null when it reads as it did last time (the server's 304). */
  private async getIfNew(name: string): Promise<unknown> {
    const path = `data/${name}.json`;
    const text = await (await this.fetch(path)).text();
    if (this.lastText.get(name) === text) return null;
    const data = parse(path, text);
    this.lastText.set(name, text);
    return data;
  }

  private async get(path: string): Promise<unknown> {
    return parse(path, await (await this.fetch(path)).text());
  }

  private async fetch(path: string): Promise<Response> {
    const res = await fetch(this.opts.root + path, { cache: 'no-cache' });
    if (!res.ok) throw new HttpError(`${path} answered HTTP ${res.status}`);
    return res;
  }
}

const listed = (m: Manifest, name: string): boolean => Boolean(m.files.find((f) => f.name === name)?.changedAt);

/** A torn or truncated answer (a proxy cutting it short) is a failed poll, not a crash. */
function parse(path: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(`${path} is not valid JSON`);
  }
}

/**
 * The sidecar has stopped when its heartbeat is older than two beats and an interval. The
 * beat is heartbeat.json's; a manifest from before it had a file of its own carries it itself.
 */
export function sidecarStopped(m: Manifest, heartbeat: Pick<Heartbeat, 'heartbeatAt'> | null, now = Date.now()): boolean {
  const at = heartbeat?.heartbeatAt ?? m.heartbeatAt;
  if (!m.heartbeatSeconds || !at) return false;
  return now - Date.parse(at) > (2 * m.heartbeatSeconds + m.intervals.activeSeconds) * 1000;
}
