import { createHash } from 'node:crypto';
import type { InFlightTransfer, LogEvent, Transfer } from '../contract/index.js';

/** How long a file seen in flight is remembered for a `Copied` line that names it. */
const REMEMBER_MS = 15 * 60_000;

interface Seen {
  instance: string;
  size: number | null;
  group: string | null;
  dstFs?: string;
  atMs: number;
}

/**
 * rclone finishes its last file and exits (cloudplow ends it at the end of a run and at
 * every SA change) often before the next poll of core/transferred: that file is then
 * known only from the `Copied (new)` line rclone printed into cloudplow's log. Such a line
 * becomes a record of its own, sized as the file was last seen in flight; where rclone's
 * record does arrive, the TransferLog keeps rclone's instead (same name, within minutes).
 */
export class LoggedTransfers {
  private readonly seen = new Map<string, Seen>();

  /** Remembers the files of one poll; forgets those not seen for a while. */
  observe(instance: string, atMs: number, transferring: readonly InFlightTransfer[]): void {
    for (const t of transferring) this.seen.set(t.name, { instance, size: t.size, group: t.group, ...(t.dstFs ? { dstFs: t.dstFs } : {}), atMs });
    for (const [name, s] of this.seen) if (atMs - s.atMs > REMEMBER_MS) this.seen.delete(name);
  }

  /** One record per copied or moved file the log names. */
  fromLog(events: readonly LogEvent[]): Transfer[] {
    return events.flatMap((e): Transfer[] => {
      if (!e.detail || !e.time || (e.kind !== 'file_copied' && e.kind !== 'file_moved')) return [];
      const seen = this.seen.get(e.detail);
      const serverSide = e.kind === 'file_moved';
      const size = seen?.size ?? null;
      return [
        {
          id: createHash('sha1').update(['log', e.detail, e.time].join('\0')).digest('hex').slice(0, 16),
          instance: seen?.instance ?? null,
          name: e.detail,
          size,
          // "Copied" is said of a whole file: its bytes are its size, where known.
          bytes: serverSide ? 0 : (size ?? 0),
          checked: false,
          ok: true,
          error: null,
          startedAt: null,
          completedAt: e.time,
          durationSeconds: null,
          avgSpeed: null,
          group: seen?.group ?? null,
          uploader: e.uploader,
          serviceAccount: e.account,
          ...(serverSide ? { serverSide: true } : {}),
          ...(seen?.dstFs ? { dstFs: seen.dstFs } : {}),
          source: 'cloudplow-log',
        },
      ];
    });
  }
}
