import { open, stat } from 'node:fs/promises';

export interface TailOptions {
  /** How far back the first read reaches: older lines of a big file are not needed. */
  initialBytes: number;
  /** The most read in one go; a burst larger than this skips to its end. */
  maxReadBytes: number;
  /** Longer lines are cut here; a 10 MB line must not become a 10 MB string in memory. */
  maxLineBytes: number;
}

export interface TailRead {
  lines: string[];
  /** The file was replaced (rotated) or truncated since the last read. */
  restarted: boolean;
  /** Bytes passed over because they were too many to read in one go. */
  skippedBytes: number;
}

export class TailMissing extends Error {}

/**
 * Follows a growing text file the way `tail -F` does: only what is new is read, by
 * offset; a new inode (a rotation) or a shorter file (a truncation) starts over; a
 * rotated file is drained from where it was left, if it sits beside as `<file>.1`
 * (RotatingFileHandler's name). A partial last line waits until its newline arrives.
 */
export class FileTail {
  private ino: number | null = null;
  private offset = 0;
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private cutting = false;
  private overflow = false;

  constructor(
    readonly file: string,
    private readonly opts: TailOptions,
  ) {}

  /** Throws TailMissing when the file does not exist; other errors (EACCES, EISDIR) as they are. */
  async read(): Promise<TailRead> {
    let st;
    try {
      st = await stat(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new TailMissing(`${this.file} does not exist`);
      throw err;
    }
    if (!st.isFile()) throw Object.assign(new Error(`${this.file} is not a regular file`), { code: 'EISDIR' });
    const lines: string[] = [];
    let restarted = false;
    let skippedBytes = 0;
    if (this.ino === null) {
      this.ino = st.ino;
      this.offset = Math.max(0, st.size - this.opts.initialBytes);
      // Starting mid-file: the first line is a fragment.
      this.cutting = this.offset > 0;
    } else if (st.ino !== this.ino) {
      lines.push(...(await this.drainRotated(this.ino)));
      this.restart(st.ino);
      restarted = true;
    } else if (st.size < this.offset) {
      this.restart(st.ino);
      restarted = true;
    }
    if (st.size - this.offset > this.opts.maxReadBytes) {
      skippedBytes = st.size - this.opts.maxReadBytes - this.offset;
      this.offset = st.size - this.opts.maxReadBytes;
      this.partial = [];
      this.partialBytes = 0;
      this.overflow = false;
      this.cutting = true;
    }
    if (st.size > this.offset) lines.push(...this.split(await readRange(this.file, this.offset, st.size)));
    this.offset = Math.max(this.offset, st.size);
    return { lines, restarted, skippedBytes };
  }

  private restart(ino: number): void {
    this.ino = ino;
    this.offset = 0;
    this.partial = [];
    this.partialBytes = 0;
    this.cutting = false;
    this.overflow = false;
  }

  /** What was written to the old file after the last read and before it was renamed away. */
  private async drainRotated(oldIno: number): Promise<string[]> {
    const rotated = `${this.file}.1`;
    const st = await stat(rotated).catch(() => null);
    if (!st || st.ino !== oldIno || st.size <= this.offset) return this.flushPartial();
    const end = Math.min(st.size, this.offset + this.opts.maxReadBytes);
    return [...this.split(await readRange(rotated, this.offset, end)), ...this.flushPartial()];
  }

  private flushPartial(): string[] {
    if (!this.partialBytes || this.cutting) return [];
    const line = this.line();
    this.partial = [];
    this.partialBytes = 0;
    this.overflow = false;
    return [line];
  }

  /** Splits on newline bytes (safe in UTF-8), keeping an unfinished last line for later. */
  private split(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.take(chunk.subarray(start, nl));
      // While cutting, the bytes before the first newline belong to a line that started earlier.
      if (!this.cutting) lines.push(this.line());
      this.partial = [];
      this.partialBytes = 0;
      this.overflow = false;
      this.cutting = false;
      start = nl + 1;
    }
    this.take(chunk.subarray(start));
    return lines;
  }

  private line(): string {
    let text = Buffer.concat(this.partial).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return this.overflow ? `${text} … [line cut at ${this.opts.maxLineBytes} bytes]` : text;
  }

  /** Keeps at most maxLineBytes of a line; the rest is dropped. */
  private take(piece: Buffer): void {
    const room = this.opts.maxLineBytes - this.partialBytes;
    if (piece.length > room) this.overflow = true;
    if (room <= 0 || !piece.length) return;
    const kept = piece.length > room ? piece.subarray(0, room) : piece;
    // A copy: the chunk buffer is large and would otherwise be retained by the slice.
    this.partial.push(Buffer.from(kept));
    this.partialBytes += kept.length;
  }
}

async function readRange(file: string, from: number, to: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(to - from);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, from + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}
