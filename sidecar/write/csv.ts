import { stringify } from 'csv-stringify/sync';
import type { Accounts, Transfer } from '../contract/index.js';
import { TRANSFERS_FILE_COLUMNS, type CsvCell } from '../format/transferColumns.js';

/**
 * CSV for spreadsheets. File names are untrusted: a cell that starts with =, +, -, @ (or
 * a tab or carriage return) would run as a formula, so csv-stringify prefixes it with '.
 */
export function toCsv<T>(rows: readonly T[], columns: ReadonlyArray<readonly [header: string, value: (row: T) => CsvCell]>): string {
  return stringify(
    rows.map((r) => columns.map(([, value]) => value(r) ?? '')),
    { header: true, columns: columns.map(([header]) => header), escape_formulas: true, cast: { boolean: (b) => String(b) } },
  );
}

/** data/transfers.csv: its columns are shared with the transfers page's download. */
export function transfersCsv(transfers: readonly Transfer[]): string {
  return toCsv(transfers, TRANSFERS_FILE_COLUMNS);
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
    ['health', (a) => a.health],
    ['health_note', (a) => a.healthNote],
    ['rate_limits_24h', (a) => a.refusals.last24h.rateLimits],
    ['rate_limits_7d', (a) => a.refusals.last7d.rateLimits],
    ['rate_limits_30d', (a) => a.refusals.last30d.rateLimits],
    ['bans_24h', (a) => a.refusals.last24h.bans],
    ['bans_7d', (a) => a.refusals.last7d.bans],
    ['bans_30d', (a) => a.refusals.last30d.bans],
    ['last_refused_at', (a) => a.refusals.lastAt],
    ['last_refusal', (a) => a.refusals.lastLine],
    ['used_from', (a) => a.sources.used],
    ['status_from', (a) => a.sources.status],
  ]);
}
