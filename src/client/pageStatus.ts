import type { Heartbeat, Manifest } from '../../sidecar/contract/index.js';
import { sidecarStopped, type Connection } from './poller.js';

/**
 * What a page knows about where its data comes from: the last manifest, the connection,
 * when the server last answered. startPage keeps it; each layout shows it in its own way
 * (headerStatus.ts, kioskStatus.ts) with the words of statusWords.ts.
 */
export class PageStatus {
  manifest: Manifest | null = null;
  /** heartbeat.json, once read: the beat has a file of its own so the manifest stands between beats. */
  heartbeat: Heartbeat | null = null;
  connection: Connection = { state: 'connecting' };
  /** When the server last answered at all: the kiosk says since when it has not. */
  lastAnswerAt: number | null = null;

  get stopped(): boolean {
    return this.manifest !== null && sidecarStopped(this.manifest, this.heartbeat);
  }

  /** The sidecar's last beat: heartbeat.json's, or the manifest's own from a sidecar before it had that file. */
  get heartbeatAt(): string | null {
    return this.heartbeat?.heartbeatAt ?? this.manifest?.heartbeatAt ?? null;
  }

  /**
   * Where a chart's time axis ends: now while the sidecar is alive; its last heartbeat
   * once it has stopped (drawing the last speed up to now would claim uploads it never
   * saw); a one-off build's own time.
   */
  dataEnd(now = Date.now()): number {
    const m = this.manifest;
    if (!m) return now;
    const beat = this.heartbeatAt;
    if (this.stopped && beat) return Date.parse(beat);
    return m.heartbeatSeconds === 0 ? Date.parse(m.generatedAt) : now;
  }
}
