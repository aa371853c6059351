import type { Encoding } from '../site/compressedSiblings.js';

/** The order to prefer among codings a client weighs the same: brotli is smaller. */
const PREFERENCE: Encoding[] = ['br', 'gzip'];

/**
 * The codings plowboard has that a client accepts, best first (RFC 9110 §12.5.3): by the
 * client's weight, then br before gzip. `q=0` refuses a coding, `*` weighs every coding not
 * named, `x-gzip` is gzip; an entry with a weight that is not a number is ignored rather
 * than guessed at. No header means the identity.
 */
export function acceptedEncodings(header: string | string[] | undefined): Encoding[] {
  if (header === undefined) return [];
  const weights = new Map<string, number>();
  for (const entry of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [coding, ...params] = entry.split(';').map((p) => p.trim().toLowerCase());
    if (!coding) continue;
    let q = 1;
    for (const p of params) {
      const m = /^q\s*=\s*(.*)$/.exec(p);
      if (m) q = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(m[1]!) ? Number(m[1]) : Number.NaN;
    }
    if (Number.isNaN(q)) continue;
    const name = coding === 'x-gzip' ? 'gzip' : coding;
    // A coding named twice keeps its highest weight.
    weights.set(name, Math.max(q, weights.get(name) ?? 0));
  }
  const weight = (e: Encoding) => weights.get(e) ?? weights.get('*') ?? 0;
  return PREFERENCE.filter((e) => weight(e) > 0).sort((a, b) => weight(b) - weight(a) || PREFERENCE.indexOf(a) - PREFERENCE.indexOf(b));
}
