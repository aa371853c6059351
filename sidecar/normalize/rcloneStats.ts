import type { InFlightTransfer } from '../contract/index.js';
import { asArray, asBool, asCount, asNumber, asObject, asString, type Json } from './coerce.js';
import { redactOrNull } from './secrets.js';

/** core/stats, normalized. Fields newer rclone versions add are kept where useful, ignored otherwise. */
export interface RcloneStats {
  bytes: number;
  totalBytes: number;
  /** rclone's global `speed`: a moving average that holds its last value when idle. */
  speedAvg: number;
  eta: number | null;
  transfers: number;
  totalTransfers: number;
  checks: number;
  totalChecks: number;
  errors: number;
  renames: number;
  deletes: number;
  lastError: string | null;
  fatalError: boolean;
  retryError: boolean;
  elapsedTime: number;
  /** Seconds with transfers running; 0 before rclone 1.64, so absent then. */
  transferTime?: number;
  listed?: number;
  serverSideMoves?: number;
  serverSideCopies?: number;
  transferring: InFlightTransfer[];
  checking: string[];
}

/**
 * rclone 1.62+ answers an ETA it cannot compute (a stalled transfer: the moving average
 * has decayed to nearly nothing) with the largest time.Duration in seconds, ~292 years.
 * Anything at or past a century is that sentinel, or as good as unknown.
 */
const UNKNOWN_ETA_SECONDS = 100 * 365 * 86_400;

export function normalizeStats(raw: unknown, instance: string): RcloneStats | null {
  const s = asObject(raw);
  if (!s) return null;
  const transferTime = asNumber(s.transferTime);
  return {
    bytes: asCount(s.bytes) ?? 0,
    totalBytes: asCount(s.totalBytes) ?? 0,
    speedAvg: Math.max(0, asNumber(s.speed) ?? 0),
    eta: asEta(s.eta),
    transfers: asCount(s.transfers) ?? 0,
    totalTransfers: asCount(s.totalTransfers) ?? 0,
    checks: asCount(s.checks) ?? 0,
    totalChecks: asCount(s.totalChecks) ?? 0,
    errors: asCount(s.errors) ?? 0,
    renames: asCount(s.renames) ?? 0,
    deletes: asCount(s.deletes) ?? 0,
    lastError: redactOrNull(asString(s.lastError) || null),
    fatalError: asBool(s.fatalError),
    retryError: asBool(s.retryError),
    elapsedTime: Math.max(0, asNumber(s.elapsedTime) ?? 0),
    ...(transferTime !== null && transferTime > 0 ? { transferTime } : {}),
    ...optionalCount(s, 'listed'),
    ...optionalCount(s, 'serverSideMoves'),
    ...optionalCount(s, 'serverSideCopies'),
    transferring: asArray(s.transferring).flatMap((t) => {
      const item = normalizeInFlight(t, instance);
      return item ? [item] : [];
    }),
    // Documented as plain names; some callers assumed objects with a name, so accept both.
    checking: asArray(s.checking).flatMap((c) => {
      const name = typeof c === 'string' ? c : asString(asObject(c)?.name);
      return name !== null ? [name] : [];
    }),
  };
}

function normalizeInFlight(raw: unknown, instance: string): InFlightTransfer | null {
  const t = asObject(raw);
  const name = asString(t?.name);
  if (!t || name === null) return null;
  const size = asCount(t.size);
  const bytes = asCount(t.bytes) ?? 0;
  const reported = asNumber(t.percentage);
  const percentage = size ? Math.min(100, (bytes / size) * 100) : reported !== null ? clamp(reported, 0, 100) : 0;
  return {
    instance,
    name,
    size,
    bytes,
    percentage: Math.round(percentage * 10) / 10,
    speed: Math.max(0, asNumber(t.speed) ?? 0),
    speedAvg: Math.max(0, asNumber(t.speedAvg) ?? 0),
    eta: asEta(t.eta),
    group: asString(t.group),
    ...optionalString(t, 'srcFs'),
    ...optionalString(t, 'dstFs'),
  };
}

function asEta(v: unknown): number | null {
  const n = asCount(v);
  return n === null || n >= UNKNOWN_ETA_SECONDS ? null : n;
}

function optionalString(o: Json, key: 'srcFs' | 'dstFs'): Partial<Record<'srcFs' | 'dstFs', string>> {
  const v = asString(o[key]);
  return v ? { [key]: v } : {};
}

function optionalCount<K extends 'listed' | 'serverSideMoves' | 'serverSideCopies'>(o: Json, key: K): Partial<Record<K, number>> {
  const v = asCount(o[key]);
  return v !== null ? ({ [key]: v } as Partial<Record<K, number>>) : {};
}

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
