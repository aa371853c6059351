import type { InFlightTransfer } from '../contract/index.js';

/**
 * rclone's per-file ETA comes from a moving average that decays while no byte moves:
 * a stalled file's ETA climbs through days and years before rclone gives up on it. A file
 * whose byte count has not moved for this long is called stalled, with no ETA.
 */
export const STALL_MS = 30_000;

interface Progress {
  bytes: number;
  sinceMs: number;
}

/** Remembers when each in-flight file last moved a byte. */
export class StallWatch {
  private progress = new Map<string, Progress>();

  /** The instance's in-flight list with `stalledSince` set and the ETA dropped where a file has not moved. */
  apply(instance: string, atMs: number, transferring: readonly InFlightTransfer[]): InFlightTransfer[] {
    const seen = new Set<string>();
    const out = transferring.map((t) => {
      const key = `${instance}\0${t.group ?? ''}\0${t.name}`;
      seen.add(key);
      const prev = this.progress.get(key);
      const p = prev && prev.bytes === t.bytes ? prev : { bytes: t.bytes, sinceMs: atMs };
      this.progress.set(key, p);
      return atMs - p.sinceMs >= STALL_MS ? { ...t, eta: null, stalledSince: new Date(p.sinceMs).toISOString() } : t;
    });
    for (const key of this.progress.keys()) {
      if (key.startsWith(`${instance}\0`) && !seen.has(key)) this.progress.delete(key);
    }
    return out;
  }
}
