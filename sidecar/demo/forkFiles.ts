import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The fork writes its JSON files with json.dump(indent=2) into the file opened for writing: the whole file, in place. */
const dump = (file: string, value: unknown) => writeFileSync(file, JSON.stringify(value, null, 2));

const localStamp = (d: Date) => {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};

export interface QuotaEntry {
  bytes: number;
  reset_time: number;
  first_upload: number;
}

/** sa_quota_cache.json: bytes per SA (by full path) in its rolling 24 h window, rewritten after every file. */
export class QuotaCache {
  readonly entries: Record<string, QuotaEntry> = {};

  constructor(
    readonly file: string,
    readonly uploader: string,
  ) {}

  set(saPath: string, entry: QuotaEntry): void {
    this.entries[saPath] = entry;
  }

  used(saPath: string): number {
    return this.entries[saPath]?.bytes ?? 0;
  }

  add(saPath: string, bytes: number, nowSeconds = Date.now() / 1000): void {
    const e = (this.entries[saPath] ??= { bytes: 0, first_upload: nowSeconds, reset_time: nowSeconds + 24 * 3600 });
    e.bytes += bytes;
    this.save();
  }

  save(): void {
    dump(this.file, { [this.uploader]: this.entries });
  }
}

/** dashboard_session_state.json, field for field as the fork's SessionStateTracker keeps it. */
export class SessionFile {
  data: Record<string, unknown> = {};

  constructor(readonly file: string) {}

  start(uploader: string, totalSas: number, uploadFolder: string, now = new Date()): void {
    this.data = {
      active: true,
      uploader,
      total_sas: totalSas,
      sa_index: 0,
      current_sa: '',
      stage: 1,
      total_stages: 0,
      session_start: localStamp(now),
      session_start_time: now.getTime() / 1000,
      upload_folder: uploadFolder,
      sas_used: [],
      total_files: 0,
      total_bytes: 0,
      transferred_files: 0,
      transferred_bytes: 0,
    };
    this.save();
  }

  useSa(index: number, saPath: string): void {
    const name = path.basename(saPath);
    const used = this.data.sas_used as string[];
    if (!used.includes(name)) used.push(name);
    Object.assign(this.data, { sa_index: index, current_sa: name, stage: 1 });
    this.save();
  }

  setTotals(files: number, bytes: number): void {
    Object.assign(this.data, { total_files: files, total_bytes: bytes });
    this.save();
  }

  stageParams(params: Record<string, unknown>): void {
    this.data.stage_params = params;
    this.save();
  }

  /** Per finished file; like the fork it saves only every tenth. */
  fileDone(bytes: number): void {
    this.data.transferred_files = (this.data.transferred_files as number) + 1;
    this.data.transferred_bytes = (this.data.transferred_bytes as number) + bytes;
    if ((this.data.transferred_files as number) % 10 === 0) this.save();
  }

  /** update_transferred at the end of a stage: the stage's files and bytes added on top of the per-file counts. */
  stageDone(files: number, bytes: number): void {
    if (this.data.active === undefined) return;
    this.data.transferred_files = (this.data.transferred_files as number) + files;
    this.data.transferred_bytes = (this.data.transferred_bytes as number) + bytes;
    this.save();
  }

  /** end_session: marked ended, with its end time and length. */
  end(now = new Date()): void {
    if (!this.data.active) return;
    Object.assign(this.data, {
      active: false,
      session_end: localStamp(now),
      session_end_time: now.getTime() / 1000,
      total_duration_seconds: Math.floor(now.getTime() / 1000 - (this.data.session_start_time as number)),
    });
    this.save();
  }

  save(): void {
    if (this.data.active !== undefined) dump(this.file, this.data);
  }
}

/** transfer-stats.jsonl beside the log: one JSON object per finished file, appended. */
export class TransferStats {
  constructor(
    readonly file: string,
    readonly uploader: string,
  ) {}

  add(row: { filename: string; size: number | null; speed: number | null; source: string; destination: string }, now = new Date()): void {
    const sized = row.size !== null && row.speed ? { size_bytes: row.size, avg_speed_bytes: Math.round(row.speed), duration_seconds: Math.round((row.size / row.speed) * 10) / 10 } : {};
    const line = {
      timestamp: now.getTime() / 1000,
      datetime: localStamp(now),
      uploader: this.uploader,
      filename: row.filename,
      ...sized,
      ...(row.size !== null && row.speed ? { source: row.source, destination: row.destination } : {}),
    };
    appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }
}
