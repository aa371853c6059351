import { stringify } from 'csv-stringify/sync';
import type { Accounts, Transfer } from '../contract/index.js';

type Cell = string | number | boolean | null;

/**
 * CSV for spreadsheets. File names are untrusted: a cell that starts with =, +, -, @ (or
 * a tab or carriage return) would run as a formula, so csv-stringify prefixes it with '.
 */
export function toCsv<T>(rows: readonly T[], columns: Array<[header: string, value: (row: T) => Cell]>): string {
  return stringify(
    rows.map((r) => columns.map(([, value]) => value(r) ?? '')),
    { header: true, columns: columns.map(([header]) => header), escape_formulas: true, cast: { boolean: (b) => String(b) } },
  );
}

export function transfersCsv(transfers: readonly Transfer[]): string {
  return toCsv(transfers, [
    ['completed_at', (t) => t.completedAt],
    ['started_at', (t) => t.startedAt],
    ['name', (t) => t.name],
    ['size_bytes', (t) => t.size],
    ['bytes', (t) => t.bytes],
    ['duration_seconds', (t) => t.durationSeconds],
    ['avg_bytes_per_second', (t) => (t.avgSpeed === null ? null : Math.round(t.avgSpeed))],
    ['ok', (t) => t.ok],
    ['error', (t) => t.error],
    ['instance', (t) => t.instance],
    ['uploader', (t) => t.uploader],
    ['service_account', (t) => t.serviceAccount],
    // Appended, so a spreadsheet that reads columns by position keeps working. Empty when rclone does not say (before 1.66).
    ['server_side', (t) => t.serverSide ?? null],
    ['destination', (t) => t.dstFs ?? null],
  ]);
}

/** One row per account of each uploader. */
export function accountsCsv(accounts: Accounts): string {
  const rows = accounts.uploaders.flatMap((u) => u.accounts.map((a) => ({ uploader: u.name, ...a })));
  return toCsv(rows, [
    ['uploader', (a) => a.uploader],
    ['account', (a) => a.name],
    ['status', (a) => a.status],
    ['used_bytes', (a) => a.usedBytes],
    ['quota_bytes', (a) => a.quotaBytes],
    ['remaining_bytes', (a) => a.remainingBytes],
    ['percent', (a) => a.percent],
    ['reset_at', (a) => a.resetAt],
    ['banned_until', (a) => a.bannedUntil],
    ['limit_hit_at', (a) => a.limitHitAt],
    ['used_from', (a) => a.sources.used],
    ['status_from', (a) => a.sources.status],
  ]);
}
