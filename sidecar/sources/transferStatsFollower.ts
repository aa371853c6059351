import type { Transfer } from '../contract/index.js';
import { transferFromStatsRow } from '../normalize/transferStats.js';
import { FileTail, TailMissing } from './fileTail.js';
import { readHint } from './readHint.js';
import { SourceStatus } from './sourceStatus.js';

const MiB = 1024 * 1024;

/**
 * The fork's transfer-stats.jsonl, appended to by cloudplow: only complete lines are
 * read (a line still being written waits for its newline), and a line that is not a
 * transfer is counted, not fatal.
 */
export class TransferStatsFollower {
  readonly status: SourceStatus;
  private readonly tail: FileTail;
  constructor(readonly file: string) {
    this.status = new SourceStatus('cloudplow:transfer-stats', 'cloudplow', 'transfer-stats.jsonl', file);
    // The transfers list is bounded; 2 MiB of rows is several thousand transfers.
    this.tail = new FileTail(file, { initialBytes: 2 * MiB, maxReadBytes: 4 * MiB, maxLineBytes: 64 * 1024 });
  }

  /** The transfers in the lines that arrived since the last read. */
  async read(): Promise<Transfer[]> {
    const started = performance.now();
    try {
      const { lines } = await this.tail.read();
      const transfers: Transfer[] = [];
      let bad = 0;
      for (const line of lines) {
        if (!line.trim()) continue;
        let t: Transfer | null = null;
        try {
          t = transferFromStatsRow(JSON.parse(line));
        } catch {
          t = null;
        }
        if (t) transfers.push(t);
        else bad++;
      }
      // Reported for the read that met them: the error clears with the next good read.
      if (bad > 0) {
        this.status.fail('error', `${bad} line${bad === 1 ? '' : 's'} of ${this.file} were not transfer rows and were skipped`, {
          hint: 'The other rows are shown. A line cut off by a crash is one such line.',
        });
      } else {
        this.status.ok(performance.now() - started);
      }
      return transfers;
    } catch (err) {
      if (err instanceof TailMissing) {
        this.status.fail('missing', `${this.file} does not exist`, { hint: 'Only the cloudplow fork writes it, beside its log; rclone’s own list is used.' });
      } else {
        const code = (err as NodeJS.ErrnoException).code;
        this.status.fail('error', `cannot read ${this.file}: ${code ?? (err as Error).message}`, { hint: readHint(code) });
      }
      return [];
    }
  }
}
