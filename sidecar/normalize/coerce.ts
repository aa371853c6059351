/** Readers for untrusted JSON: a wrong type reads as absent instead of throwing. */
export type Json = Record<string, unknown>;

export const asObject = (v: unknown): Json | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null);
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asString = (v: unknown): string | null => (typeof v === 'string' ? v : null);
export const asNumber = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
/** Counters and byte sizes: whole and not negative (rclone uses -1 for "unknown size"). */
export const asCount = (v: unknown): number | null => {
  const n = asNumber(v);
  return n === null || n < 0 ? null : Math.round(n);
};
export const asBool = (v: unknown): boolean => v === true;

/** RFC 3339 with nanoseconds (rclone) to ISO 8601 with milliseconds; null if unparseable or Go's zero time. */
export function asIsoTime(v: unknown): string | null {
  if (typeof v !== 'string' || v.startsWith('0001-01-01')) return null;
  const ms = Date.parse(v.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}
