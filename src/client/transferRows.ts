import type { InFlightTransfer, Transfer } from '../../sidecar/contract/index.js';
import type { CsvTransfer } from '../../sidecar/format/transferColumns.js';

export type State = 'inflight' | 'ok' | 'failed' | 'checked';
export const STATE_WORDS: Record<State, string> = { inflight: 'in flight', ok: 'ok', failed: 'failed', checked: 'checked' };

/** A transfer in flight (from live.json) or finished (from transfers.json), in one shape for the table. */
export interface Row {
  key: string;
  state: State;
  name: string;
  size: number | null;
  bytes: number;
  percentage: number | null;
  /** In flight: the current rate (rclone's per-file speedAvg); finished: the average. */
  speed: number | null;
  /** In flight: the file's average since its first byte. */
  average: number | null;
  eta: number | null;
  startedAt: string | null;
  completedAt: string | null;
  durationSeconds: number | null;
  account: string | null;
  uploader: string | null;
  instance: string | null;
  error: string | null;
  /** The remote it goes to (rclone 1.66+). */
  dest: string | null;
  /** Absent before rclone 1.66: not known, rather than false. */
  serverSide: boolean | null;
  record: Transfer | InFlightTransfer;
}

export const inflightRow = (t: InFlightTransfer): Row => ({
  key: `live\u0000${t.instance}\u0000${t.name}`,
  state: 'inflight',
  name: t.name,
  size: t.size,
  bytes: t.bytes,
  percentage: t.percentage,
  speed: t.speedAvg ?? null,
  average: t.speed ?? null,
  eta: t.eta,
  startedAt: null,
  completedAt: null,
  durationSeconds: null,
  account: null,
  uploader: null,
  instance: t.instance,
  error: null,
  dest: t.dstFs ?? null,
  serverSide: null,
  record: t,
});

export const finishedRow = (t: Transfer): Row => ({
  key: `done\u0000${t.id}`,
  // A failed check is a failure: "checked" is for files rclone found already there.
  state: !t.ok ? 'failed' : t.checked ? 'checked' : 'ok',
  name: t.name,
  size: t.size,
  bytes: t.bytes,
  percentage: null,
  speed: t.avgSpeed,
  average: t.avgSpeed,
  eta: null,
  startedAt: t.startedAt,
  completedAt: t.completedAt,
  durationSeconds: t.durationSeconds,
  account: t.serviceAccount,
  uploader: t.uploader,
  instance: t.instance,
  error: t.error,
  dest: t.dstFs ?? null,
  serverSide: t.serverSide ?? null,
  record: t,
});

/** A row as the shared CSV columns read it: in flight, the average since its first byte; not finished, so no ok yet. */
export const csvTransfer = (r: Row): CsvTransfer => ({
  completedAt: r.completedAt,
  startedAt: r.startedAt,
  name: r.name,
  size: r.size,
  bytes: r.bytes,
  durationSeconds: r.durationSeconds,
  avgSpeed: r.average,
  ok: r.state === 'inflight' ? null : r.state !== 'failed',
  error: r.error,
  instance: r.instance,
  uploader: r.uploader,
  serviceAccount: r.account,
  serverSide: r.serverSide,
  dstFs: r.dest,
});
