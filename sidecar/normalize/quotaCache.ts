import { accountName } from './accountName.js';
import { asNumber, asObject } from './coerce.js';

export interface QuotaEntry {
  path: string;
  usedBytes: number;
  resetAtMs: number | null;
  firstUploadAtMs: number | null;
}

/**
 * sa_quota_cache.json: {uploader: {<full SA path>: {bytes, reset_time, first_upload}}}.
 * Returned per uploader, keyed by the SA file's base name: that is how the session file
 * names the same account.
 */
export function parseQuotaCache(raw: unknown): Map<string, Map<string, QuotaEntry>> {
  const out = new Map<string, Map<string, QuotaEntry>>();
  for (const [uploader, accounts] of Object.entries(asObject(raw) ?? {})) {
    const byName = new Map<string, QuotaEntry>();
    for (const [saPath, entry] of Object.entries(asObject(accounts) ?? {})) {
      const e = asObject(entry);
      if (!e) continue;
      const reset = asNumber(e.reset_time);
      const first = asNumber(e.first_upload);
      byName.set(accountName(saPath), {
        path: saPath,
        usedBytes: Math.max(0, Math.round(asNumber(e.bytes) ?? 0)),
        resetAtMs: reset !== null && reset > 0 ? reset * 1000 : null,
        firstUploadAtMs: first !== null && first > 0 ? first * 1000 : null,
      });
    }
    out.set(uploader, byName);
  }
  return out;
}
