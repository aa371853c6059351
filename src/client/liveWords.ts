import type { InFlightTransfer, LiveInstance, Transfer } from '../../sidecar/contract/index.js';
import { clockMinutes, duration, speed } from './format.js';

/**
 * How live.json's newer fields read on the pages. Every field rclone 1.60 does not give
 * (listed, transferTime, dstFs, serverSide…) may be absent, and so may the ones an older
 * sidecar did not write: each function then says nothing rather than "undefined" or a 0.
 */

/** An ETA past this is not a forecast anyone can use (rclone's own "no idea" once read as 292 years). */
const ETA_TOO_FAR_SECONDS = 7 * 86400;

const isNumber = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

/** Hours and minutes in the viewer's zone, with the date when it is not today. */
export function hhmm(iso: string): string {
  const d = new Date(iso);
  const time = clockMinutes(iso);
  return d.toDateString() === new Date().toDateString() ? time : `${d.toLocaleDateString()} ${time}`;
}

/** rclone's per-file `speedAvg` is its current rate; its `speed` is the average since the first byte. */
export function fileRateNow(t: InFlightTransfer): string | null {
  return isNumber(t.speedAvg) ? `${speed(t.speedAvg)} now` : null;
}

export function fileRateAvg(t: InFlightTransfer): string | null {
  return isNumber(t.speed) ? `avg ${speed(t.speed)}` : null;
}

/** "12.3 MiB/s now · avg 10.1 MiB/s", or whichever of the two is known. */
export function fileRates(t: InFlightTransfer): string {
  return [fileRateNow(t), fileRateAvg(t)].filter(Boolean).join(' · ') || '—';
}

/** The current rate for sorting: a file with none sorts last. */
export const currentRate = (t: InFlightTransfer): number => (isNumber(t.speedAvg) ? t.speedAvg : -1);

/** `span` words how long: to the second by default, to the minute on a wall screen. */
export function stalledText(since: string, now = Date.now(), span: (seconds: number) => string = duration): string {
  return `stalled since ${hhmm(since)} (for ${span(Math.max(0, now - Date.parse(since)) / 1000)})`;
}

/** A stalled file says since when instead of an ETA; an absurd ETA is not shown as months or years. */
export function fileEta(t: InFlightTransfer, now = Date.now(), span: (seconds: number) => string = duration): string {
  if (t.stalledSince) return stalledText(t.stalledSince, now, span);
  return `ETA ${etaWords(t.eta)}`;
}

export function etaWords(seconds: number | null | undefined): string {
  if (!isNumber(seconds)) return duration(null);
  return seconds > ETA_TOO_FAR_SECONDS ? 'over a week' : duration(seconds);
}

/** The remote a file goes to (rclone 1.66+), or null. */
export const destination = (t: { dstFs?: string }): string | null => (t.dstFs ? `→ ${t.dstFs}` : null);

/**
 * Instances listing their source with nothing of their own in flight: without this the
 * page looks idle, or stuck, for the minutes a big scan takes.
 */
export function scanningText(instances: readonly LiveInstance[]): string | null {
  const scanning = instances.filter((i) => i.phase === 'scanning' && !i.transferring.length);
  if (!scanning.length) return null;
  const one = (i: LiveInstance) => `Scanning the source${isNumber(i.listed) ? ` — ${i.listed.toLocaleString()} ${i.listed === 1 ? 'entry' : 'entries'} listed` : ''}`;
  if (instances.length === 1) return `${one(scanning[0]!)}.`;
  return `${scanning.map((i) => `rclone “${i.name}”: ${one(i).replace(/^S/, 's')}`).join('; ')}.`;
}

type Counts = { queued?: number; queuedExact?: boolean; moved?: number; removedFromSource?: number };

export const QUEUE_INEXACT_TITLE = 'At least this many: rclone before 1.73.1 leaves the queue out of its total, so more may be waiting.';

/** "5 queued", or "≥ 5 queued" when rclone's total leaves the queue out; null when not known. */
export function queuedText(c: Counts): { text: string; title: string } | null {
  if (!isNumber(c.queued)) return null;
  if (c.queuedExact === false) return c.queued > 0 ? { text: `≥ ${c.queued.toLocaleString()} queued`, title: QUEUE_INEXACT_TITLE } : null;
  return { text: `${c.queued.toLocaleString()} queued`, title: '' };
}

/** "moved 12 · removed from local 12": only when rclone moved something (a copy moves nothing). */
export function movedText(c: Counts): string | null {
  const parts = [isNumber(c.moved) && c.moved > 0 ? `moved ${c.moved.toLocaleString()}` : null, isNumber(c.removedFromSource) && c.removedFromSource > 0 ? `removed from local ${c.removedFromSource.toLocaleString()}` : null];
  return parts.filter(Boolean).join(' · ') || null;
}

/** rclone 1.64+: bytes over the time transfers ran, unlike the global speed that holds its last value. */
export function uploadAvgText(instances: readonly LiveInstance[]): string | null {
  const known = instances.filter((i) => isNumber(i.uploadSpeedAvg) && i.transfers + i.inFlight > 0);
  if (!known.length) return null;
  if (known.length === 1 && instances.length === 1) return `average while uploading ${speed(known[0]!.uploadSpeedAvg)}`;
  return `average while uploading: ${known.map((i) => `${i.name} ${speed(i.uploadSpeedAvg)}`).join(', ')}`;
}

/** Counters that started over are not a drop in what was uploaded: say when, small. */
export function restartedText(instances: readonly LiveInstance[]): string | null {
  const restarted = instances.filter((i) => i.countersRestarted?.at);
  if (!restarted.length) return null;
  return restarted
    .map((i) => {
      const r = i.countersRestarted!;
      const what = r.reason === 'reset' ? `counters reset at ${hhmm(r.at)}` : `rclone restarted at ${hhmm(r.at)}`;
      return instances.length > 1 ? `${i.name}: ${what}` : what;
    })
    .join(' · ');
}

/** A server-side move uploaded nothing: its 0 bytes are not a speed. */
export const finishedSpeed = (t: Pick<Transfer, 'serverSide' | 'avgSpeed'>): string => (t.serverSide ? 'moved on the remote' : speed(t.avgSpeed));
