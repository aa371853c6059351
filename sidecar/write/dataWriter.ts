import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic.js';
import type { PublishedFiles } from './publishedFiles.js';

export interface WriteOutcome {
  written: boolean;
  changedAt: string | null;
}

/**
 * The text without its top-level generatedAt, the one field most files change on every
 * write: cut from the text already made, not serialized a second time. The envelope puts
 * generatedAt right after schemaVersion, so its first occurrence is the top-level one.
 */
function keyWithoutGeneratedAt(text: string, data: unknown): string {
  const at = (data as { generatedAt?: unknown } | null)?.generatedAt;
  return typeof at === 'string' ? text.replace(`"generatedAt":${JSON.stringify(at)}`, '') : text;
}

/**
 * Writes data files only when what they say changed, so that pollers get 304s. Each file
 * may name a `stable` view of its content, leaving out fields that change on every write;
 * without one, only the top-level generatedAt is left out.
 */
export class DataWriter {
  private readonly last = new Map<string, { key: string; changedAt: string; second: number; size: number }>();

  /** `published`: where a server in the same process takes the files from (see publishedFiles.ts). */
  constructor(
    private readonly outputDir: string,
    private readonly published?: PublishedFiles,
  ) {}

  async write<T>(relPath: string, data: T, opts: { stable?: (data: T) => unknown; force?: boolean } = {}): Promise<WriteOutcome> {
    let text = `${JSON.stringify(data)}\n`;
    const key = opts.stable ? JSON.stringify(opts.stable(data)) : keyWithoutGeneratedAt(text, data);
    // nginx's ETag is the mtime in whole seconds plus the size: a new version written in
    // the same second with the same length would get the old ETag and a wrong 304. One
    // space of JSON whitespace makes the size differ.
    const prev = this.last.get(relPath);
    if (prev && prev.second === Math.floor(Date.now() / 1000) && prev.size === Buffer.byteLength(text)) text = `${text.trimEnd()} \n`;
    return this.writeText(relPath, text, key, opts.force);
  }

  /** The same rule for text files (metrics, CSV): `key` is what decides whether it changed. */
  async writeText(relPath: string, text: string, key: string = text, force = false): Promise<WriteOutcome> {
    const prev = this.last.get(relPath);
    if (prev && prev.key === key && !force) return { written: false, changedAt: prev.changedAt };
    await writeFileAtomic(path.join(this.outputDir, relPath), text, { durable: false });
    const now = new Date();
    // After the rename: a failed write leaves the version last published, on disk and here.
    this.published?.set(relPath, text, now);
    const changedAt = now.toISOString();
    this.last.set(relPath, { key, changedAt, second: Math.floor(now.getTime() / 1000), size: Buffer.byteLength(text) });
    return { written: true, changedAt };
  }

  changedAt(relPath: string): string | null {
    return this.last.get(relPath)?.changedAt ?? null;
  }

  /**
   * Files deleted underneath (a cleanup script, a user) are forgotten, so the next write puts
   * them back. One listing per folder, not a call per file: this runs with every heartbeat.
   */
  async forgetMissing(): Promise<void> {
    const listings = new Map<string, Promise<Set<string>>>();
    for (const relPath of [...this.last.keys()]) {
      const dir = path.dirname(relPath);
      if (!listings.has(dir)) listings.set(dir, readdir(path.join(this.outputDir, dir)).then((names) => new Set(names), () => new Set<string>()));
      if (!(await listings.get(dir)!).has(path.basename(relPath))) this.last.delete(relPath);
    }
  }

  /** After an error the file on disk is unknown: forget it so the next write goes through. */
  forget(relPath: string): void {
    this.last.delete(relPath);
  }
}
