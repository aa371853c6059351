/**
 * A duration as people write one in a flag or a file: `90s`, `30m`, `1h`, `1h30m`, `2d`;
 * a bare number is seconds. Returns milliseconds, or null for anything else.
 */
export function parseDuration(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  if (!/^(\d+(\.\d+)?(d|h|m|s))+$/.test(t)) return null;
  const unit: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
  let ms = 0;
  for (const [, n, , u] of t.matchAll(/(\d+(\.\d+)?)(d|h|m|s)/g)) ms += Number(n) * unit[u!]!;
  return ms;
}
