import type { Transfer } from '../contract/index.js';

/**
 * The columns of a transfers CSV, each written once: the sidecar's data/transfers.csv and
 * the transfers page's "CSV of what is filtered" both read them from here. The browser
 * bundle imports this module, so it imports nothing but types.
 */

export type CsvCell = string | number | boolean | null;

/**
 * What a row is read from: a finished transfer, or a file still in flight with what it
 * does not have yet (finished at, ok, account…) as null.
 */
export type CsvTransfer = Pick<Transfer, 'name' | 'bytes' | 'instance' | 'error' | 'uploader' | 'serviceAccount' | 'size' | 'startedAt' | 'durationSeconds' | 'avgSpeed'> & {
  completedAt: string | null;
  ok: boolean | null;
  /** Absent before rclone 1.66: the cell is empty rather than false. */
  serverSide?: boolean | null;
  dstFs?: string | null;
};

export type TransferColumn = readonly [header: string, value: (t: CsvTransfer) => CsvCell];

const completedAt: TransferColumn = ['completed_at', (t) => t.completedAt];
const startedAt: TransferColumn = ['started_at', (t) => t.startedAt];
const name: TransferColumn = ['name', (t) => t.name];
const size: TransferColumn = ['size_bytes', (t) => t.size];
const bytes: TransferColumn = ['bytes', (t) => t.bytes];
const duration: TransferColumn = ['duration_seconds', (t) => t.durationSeconds];
const avgSpeed: TransferColumn = ['avg_bytes_per_second', (t) => (t.avgSpeed === null ? null : Math.round(t.avgSpeed))];
const ok: TransferColumn = ['ok', (t) => t.ok];
const error: TransferColumn = ['error', (t) => t.error];
const instance: TransferColumn = ['instance', (t) => t.instance];
const uploader: TransferColumn = ['uploader', (t) => t.uploader];
const serviceAccount: TransferColumn = ['service_account', (t) => t.serviceAccount];
const serverSide: TransferColumn = ['server_side', (t) => t.serverSide ?? null];
const destination: TransferColumn = ['destination', (t) => t.dstFs ?? null];

const COMMON = [completedAt, startedAt, name, size, bytes, duration, avgSpeed, ok, error, instance, uploader, serviceAccount];

/**
 * data/transfers.csv. New columns are appended, so a spreadsheet that reads columns by
 * position keeps working: server_side and destination came last, in that order.
 */
export const TRANSFERS_FILE_COLUMNS: readonly TransferColumn[] = [...COMMON, serverSide, destination];

/**
 * The transfers page's download, after its own state column. It gained destination
 * before server_side, and a download read by position is relied on just the same, so
 * each keeps the order it shipped with.
 */
export const TRANSFERS_PAGE_COLUMNS: readonly TransferColumn[] = [...COMMON, destination, serverSide];
