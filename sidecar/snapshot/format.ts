import prettyBytes from 'pretty-bytes';
import { duration } from '../format/duration.js';

export { duration };

/**
 * Figures as a snapshot shows them. Unlike the pages, which speak the viewer's zone and
 * locale, a snapshot is read later and elsewhere: times are UTC ISO and nothing depends
 * on the machine that made it, so the same data always gives the same text.
 */

/** Bytes in binary units, labelled as such (KiB, MiB, GiB), as the pages show them. */
export const bytes = (n: number | null | undefined): string =>
  n == null ? '—' : prettyBytes(n, { binary: true, maximumFractionDigits: 1, locale: false });
export const speed = (n: number | null | undefined): string => (n == null ? '—' : `${bytes(n)}/s`);

/** `2026-11-23T04:12:05Z`: ISO 8601 in UTC, to the second. */
export const utc = (iso: string | null | undefined): string => (iso ? new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z') : '—');

/** `2026-11-23T0412Z`: the data's time as it names the snapshot's files. */
export const fileStamp = (iso: string): string => new Date(iso).toISOString().replace(/:\d{2}\.\d{3}Z$/, 'Z').replace(':', '');

export const percent = (n: number | null | undefined, digits = 1): string => (n == null || !Number.isFinite(n) ? '—' : `${n.toFixed(digits)} %`);
export const count = (n: number | null | undefined): string => (n == null ? '—' : String(n));
export const orDash = (s: string | null | undefined): string => (s == null || s === '' ? '—' : s);
