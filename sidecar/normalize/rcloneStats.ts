import type { InFlightTransfer } from '../contract/index.js';
import { asArray, asBool, asCount, asNumber, asObject, asString, type Json } from './coerce.js';

/** core/stats, normalized. Fields newer rclone versions add are kept where useful, ignored otherwise. */
export interface RcloneStats {
  bytes: number;
  totalBytes: number;
  speedAvg: number;
  eta: number | null;
  transfers: number;
  totalTransfers: number;
  checks: number;
  totalChecks: number;
  errors: number;
  lastError: string | null;
  fatalError: boolean;
  retryError: boolean;
  elapsedTime: number;
  listed?: number;
  transferring: InFlightTransfer[];
  checking: string[];
}

export function normalizeStats(raw: unknown, instance: string): RcloneStats | null {
  const s = asObject(raw);
  if (!s) return null;
  const listed = asCount(s.listed);
  return {
    bytes: asCount(s.bytes) ?? 0,
    totalBytes: asCount(s.totalBytes) ?? 0,
    speedAvg: Math.max(0, asNumber(s.speed) ?? 0),
    eta: asCount(s.eta),
    transfers: asCount(s.transfers) ?? 0,
    totalTransfers: asCount(s.totalTransfers) ?? 0,
    checks: asCount(s.checks) ?? 0,
    totalChecks: asCount(s.totalChecks) ?? 0,
    errors: asCount(s.errors) ?? 0,
    lastError: asString(s.lastError) || null,
    fatalError: asBool(s.fatalError),
    retryError: asBool(s.retryError),
    elapsedTime: Math.max(0, asNumber(s.elapsedTime) ?? 0),
    ...(listed !== null ? { listed } : {}),
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
    eta: asCount(t.eta),
    group: asString(t.group),
    ...optionalString(t, 'srcFs'),
    ...optionalString(t, 'dstFs'),
  };
}

function optionalString(o: Json, key: 'srcFs' | 'dstFs'): Partial<Record<'srcFs' | 'dstFs', string>> {
  const v = asString(o[key]);
  return v ? { [key]: v } : {};
}

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
