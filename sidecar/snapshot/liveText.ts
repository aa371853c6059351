import type { InFlightTransfer, LiveInstance, Transfer } from '../contract/index.js';
import { duration, speed, utc } from './format.js';

/**
 * The newer live.json fields as a snapshot words them: like the pages, but in UTC and
 * counted from the data's own time, so the same data always gives the same text. A field
 * rclone 1.60 or an older sidecar did not write gives nothing, never "undefined" or a 0.
 */

const isNumber = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);
/** Past this an ETA is no forecast (rclone's own "no idea" once read as 292 years). */
const ETA_TOO_FAR_SECONDS = 7 * 86400;

/** rclone's per-file `speedAvg` is the current rate; its `speed` the average since the first byte. */
export function fileSpeed(t: InFlightTransfer): string {
  const now = isNumber(t.speedAvg) ? `${speed(t.speedAvg)} now` : null;
  const avg = isNumber(t.speed) ? `avg ${speed(t.speed)}` : null;
  return [now, avg].filter(Boolean).join(', ') || '—';
}

export function fileEta(t: InFlightTransfer, dataTime: string): string {
  if (t.stalledSince) return `stalled since ${utc(t.stalledSince)} (for ${duration(Math.max(0, Date.parse(dataTime) - Date.parse(t.stalledSince)) / 1000)})`;
  return etaText(t.eta);
}

export const etaText = (s: number | null | undefined): string => (isNumber(s) && s > ETA_TOO_FAR_SECONDS ? 'over a week' : duration(s));

type Counts = { queued?: number; queuedExact?: boolean; moved?: number; removedFromSource?: number };

export function queuedText(c: Counts): string | null {
  if (!isNumber(c.queued)) return null;
  if (c.queuedExact === false) return c.queued > 0 ? `at least ${c.queued} queued (rclone before 1.73.1 leaves the queue out of its total)` : null;
  return `${c.queued} queued`;
}

export function movedText(c: Counts): string | null {
  const parts = [isNumber(c.moved) && c.moved > 0 ? `moved ${c.moved}` : null, isNumber(c.removedFromSource) && c.removedFromSource > 0 ? `removed from local ${c.removedFromSource}` : null];
  return parts.filter(Boolean).join(' · ') || null;
}

/** "default: ok, scanning (1234 entries listed), average while uploading 80 MiB/s, rclone restarted at …". */
export function instanceText(i: LiveInstance): string {
  const phase = i.phase === 'scanning' && !i.transferring.length ? `scanning the source${isNumber(i.listed) ? ` (${i.listed} entries listed)` : ''}` : null;
  const upload = isNumber(i.uploadSpeedAvg) && i.transfers + i.inFlight > 0 ? `average while uploading ${speed(i.uploadSpeedAvg)}` : null;
  const restarted = i.countersRestarted ? `${i.countersRestarted.reason === 'reset' ? 'counters reset' : 'rclone restarted'} at ${utc(i.countersRestarted.at)}` : null;
  const extra = [phase, upload, restarted].filter(Boolean).join(', ');
  return `${i.name}: ${i.state}${extra ? `, ${extra}` : ''}${i.lastError ? ` (${i.lastError})` : ''}`;
}

/** A server-side move uploaded nothing: its 0 bytes are not a speed. */
export const finishedSpeed = (t: Transfer): string => (t.serverSide ? 'moved on the remote' : speed(t.avgSpeed));
