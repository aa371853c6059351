import type { LogEvent, Transfer } from '../contract/index.js';

interface Period {
  fromMs: number;
  /** The run's end ("Finished upload"), or the next period's start. */
  toMs: number;
  uploader: string | null;
  account: string | null;
}

/** The log's "Finished upload" comes a moment after rclone's last file: this much slack after a period's end. */
const EDGE_MS = 5_000;

/**
 * Which uploader and SA were uploading when, from cloudplow's log: a run opens with
 * "Starting upload", names its SA ("Using service account", or the one it cycles to) and
 * its uploader ("Uploading … to remote"), and ends with "Finished upload".
 */
export function saPeriods(events: readonly LogEvent[]): Period[] {
  const periods: Period[] = [];
  let current = null as Period | null;
  const close = (at: number) => {
    if (current) current.toMs = at;
    current = null;
  };
  for (const e of events) {
    const at = e.time ? Date.parse(e.time) : NaN;
    if (!Number.isFinite(at)) continue;
    if (e.kind === 'upload_started' && e.uploader === null) {
      close(at);
      current = { fromMs: at, toMs: Infinity, uploader: null, account: null };
      periods.push(current);
    } else if (e.kind === 'upload_started' && current) {
      current.uploader = e.uploader;
    } else if ((e.kind === 'sa_chosen' || e.kind === 'sa_cycled') && e.account) {
      const uploader: string | null = e.uploader ?? current?.uploader ?? null;
      // The first SA of a run belongs to the run; a later one opens a period of its own.
      if (current && current.account === null) current.account = e.account;
      else {
        close(at);
        current = { fromMs: at, toMs: Infinity, uploader, account: e.account };
        periods.push(current);
      }
    } else if (e.kind === 'upload_finished') {
      if (current) current.uploader ??= e.uploader;
      close(at);
    }
  }
  return periods;
}

/** Transfers with the uploader and SA the log says were uploading when each finished, where they had none. */
export function attributeTransfers(transfers: readonly Transfer[], periods: readonly Period[]): Transfer[] {
  if (!periods.length) return [...transfers];
  return transfers.map((t) => {
    if (t.uploader !== null && t.serviceAccount !== null) return t;
    const at = Date.parse(t.completedAt);
    // The latest period that had begun when the file finished, if it had not ended long before.
    let found: Period | null = null;
    // A period's SA is named before its first upload starts, so no file of it finishes before it begins.
    for (const p of periods) if (p.fromMs <= at && at <= p.toMs + EDGE_MS) found = p;
    if (!found) return t;
    return { ...t, uploader: t.uploader ?? found.uploader, serviceAccount: t.serviceAccount ?? found.account };
  });
}
