import { createHash } from 'node:crypto';
import type { Transfer } from '../contract/index.js';
import { asArray, asBool, asCount, asIsoTime, asObject, asString } from './coerce.js';

/**
 * core/transferred, normalized to the contract. Pure checks (`checked: true`, no error)
 * are dropped: they moved no data, and on a large library they would push real uploads
 * out of the bounded list.
 */
export function normalizeTransferred(raw: unknown, instance: string): Transfer[] {
  return asArray(asObject(raw)?.transferred).flatMap((item): Transfer[] => {
    const t = asObject(item);
    const name = asString(t?.name);
    const completedAt = asIsoTime(t?.completed_at);
    if (!t || name === null || completedAt === null) return [];
    const error = asString(t.error) || null;
    const checked = asBool(t.checked);
    if (checked && !error) return [];
    const startedAt = asIsoTime(t.started_at);
    const bytes = asCount(t.bytes) ?? 0;
    const durationSeconds = startedAt ? Math.max(0, (Date.parse(completedAt) - Date.parse(startedAt)) / 1000) : null;
    const group = asString(t.group);
    const srcFs = asString(t.srcFs);
    const dstFs = asString(t.dstFs);
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
        size: asCount(t.size),
        bytes,
        checked,
        ok: !error,
        error,
        startedAt,
        completedAt,
        durationSeconds,
        avgSpeed: durationSeconds && bytes ? bytes / durationSeconds : null,
        group,
        uploader: null,
        serviceAccount: null,
        ...(srcFs ? { srcFs } : {}),
        ...(dstFs ? { dstFs } : {}),
        source: 'rclone',
      },
    ];
  });
}
