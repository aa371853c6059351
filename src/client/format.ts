import prettyBytes from 'pretty-bytes';
import { duration } from '../../sidecar/format/duration.js';

export { duration };

/** Bytes in binary units, labelled as such (KiB, MiB, GiB). */
export const bytes = (n: number | null | undefined): string => (n == null ? '—' : prettyBytes(n, { binary: true, maximumFractionDigits: 1 }));
export const speed = (n: number | null | undefined): string => (n == null ? '—' : `${bytes(n)}/s`);

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = (now - Date.parse(iso)) / 1000;
  return s < 1.5 ? 'just now' : `${duration(s)} ago`;
}

/** In the viewer's own zone. */
export const clock = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '—';
/**
 * Past its first minute, a span to the minute ("running 1 h 12 min"), for a wall screen: a
 * count of seconds repaints it every second with nothing new to say.
 */
export const durationToMinute = (seconds: number | null): string => duration(seconds !== null && seconds >= 60 ? Math.floor(seconds / 60) * 60 : seconds);

/** To the minute, for a wall screen: a clock with seconds would repaint it every second. */
export const clockMinutes = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : '—';
export const dateTime = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : '—');
/** The time alone when it is today, otherwise with its date: "since 14:02" must not mean last week. */
export const when = (iso: string | null | undefined): string =>
  iso && new Date(iso).toDateString() !== new Date().toDateString() ? dateTime(iso) : clock(iso);

/** Whether the viewer's locale writes 2 PM rather than 14:00, so the chart's axis can agree with the text. */
export const uses12Hour = (): boolean => new Intl.DateTimeFormat(undefined, { hour: 'numeric' }).resolvedOptions().hour12 === true;

/** A time as the viewer's clock (with its date when not today), how long ago in words, the full date on hover. */
export function timeText(iso: string | null | undefined, now = Date.now()): { text: string; title: string } {
  if (!iso) return { text: '—', title: '' };
  return { text: `${when(iso)} · ${ago(iso, now)}`, title: dateTime(iso) };
}
