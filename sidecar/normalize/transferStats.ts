import { createHash } from 'node:crypto';
import type { Transfer } from '../contract/index.js';
import { asCount, asNumber, asObject, asString } from './coerce.js';
import { redactOrNull } from './secrets.js';

/**
 * One row of the fork's transfer-stats.jsonl. Size, speed and duration are there only
 * when rclone's stats still listed the file; the rest always is.
 */
export function transferFromStatsRow(raw: unknown): Transfer | null {
  const row = asObject(raw);
  const at = asNumber(row?.timestamp);
  const name = asString(row?.filename);
  if (!row || at === null || at <= 0 || !name) return null;
  const uploader = asString(row.uploader);
  const size = asCount(row.size_bytes);
  const duration = asNumber(row.duration_seconds);
  const completedMs = at * 1000;
  // rclone's srcFs/dstFs, copied by the fork: a connection-string remote holds its keys.
  const srcFs = redactOrNull(asString(row.source));
  const dstFs = redactOrNull(asString(row.destination));
  return {
    id: createHash('sha1').update(['cloudplow', uploader ?? '', name, String(row.timestamp)].join('\0')).digest('hex').slice(0, 16),
    instance: null,
    name,
    size,
    bytes: size ?? 0,
    checked: false,
    ok: true,
    error: null,
    startedAt: duration !== null && duration >= 0 ? new Date(completedMs - duration * 1000).toISOString() : null,
    completedAt: new Date(completedMs).toISOString(),
    durationSeconds: duration !== null && duration >= 0 ? Math.round(duration * 10) / 10 : null,
    avgSpeed: asCount(row.avg_speed_bytes),
    group: null,
    uploader,
    serviceAccount: null,
    ...(srcFs ? { srcFs } : {}),
    ...(dstFs ? { dstFs } : {}),
    source: 'cloudplow',
  };
}
