import { createHash } from 'node:crypto';
import type { Transfer } from '../contract/index.js';
import { asArray, asBool, asCount, asIsoTime, asObject, asString } from './coerce.js';
import { redactOrNull } from './secrets.js';

/**
 * core/transferred, normalized to the contract: one record per file that moved data or
 * failed to. Left out, because nothing was uploaded:
 * - pure checks (`checked: true`, no bytes, no error; 1.71+ `what: checking`): on a large
 *   library they would push real uploads out of the bounded list;
 * - source deletes after a copy (`what: deleting`, 1.71+; `checked: true` before): core/stats
 *   counts them as `deletes`, shown as "removed from the source".
 * The outer entry a move adds around its copy (1.66+: `checked: false`, `bytes: 0`) is kept
 * here and folded into its copy by the TransferLog, which sees every poll: the copy may be
 * listed a poll before its outer entry.
 */
export function normalizeTransferred(raw: unknown, instance: string): Transfer[] {
  return asArray(asObject(raw)?.transferred).flatMap((item): Transfer[] => {
    const t = asObject(item);
    const name = asString(t?.name);
    const completedAt = asIsoTime(t?.completed_at);
    if (!t || name === null || completedAt === null) return [];
    // rclone's errors quote URLs and remote specs, which can carry credentials.
    const error = redactOrNull(asString(t.error) || null);
    const checked = asBool(t.checked);
    const what = asString(t.what);
    const size = asCount(t.size);
    let bytes = asCount(t.bytes) ?? 0;
    if (what === 'deleting' || what === 'checking') return [];
    // rclone 1.60 lists a server-side move as a check that carries the file's bytes; 1.66+
    // as a transfer of 0 bytes with no copy inside it. Neither sent any data.
    const serverSide = !error && ((checked && bytes > 0) || (!checked && bytes === 0 && (size ?? 0) > 0));
    if (checked && !error && !serverSide) return [];
    if (serverSide) bytes = 0;
    const startedAt = asIsoTime(t.started_at);
    const durationSeconds = startedAt ? Math.max(0, (Date.parse(completedAt) - Date.parse(startedAt)) / 1000) : null;
    const group = asString(t.group);
    // A remote given on the command line as a connection string (`:s3,secret_access_key=…:bucket`) holds its keys.
    const srcFs = redactOrNull(asString(t.srcFs));
    const dstFs = redactOrNull(asString(t.dstFs));
    return [
      {
        // rclone's own timestamps have nanoseconds: hash the raw strings so the id is
        // stable across polls and restarts of the sidecar.
        id: createHash('sha1')
          .update([instance, group ?? '', name, String(t.started_at ?? ''), String(t.completed_at ?? '')].join('\0'))
          .digest('hex')
          .slice(0, 16),
        instance,
        name,
        size,
        bytes,
        checked: checked && !serverSide,
        ok: !error,
        error,
        startedAt,
        completedAt,
        durationSeconds,
        avgSpeed: durationSeconds && bytes ? bytes / durationSeconds : null,
        group,
        uploader: null,
        serviceAccount: null,
        ...(serverSide ? { serverSide: true } : {}),
        ...(srcFs ? { srcFs } : {}),
        ...(dstFs ? { dstFs } : {}),
        source: 'rclone',
      },
    ];
  });
}
