import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Temp names only need to be unique within this process: the pid covers the others. */
let sequence = Math.floor(Math.random() * 0xffffffff);

export interface AtomicWriteOptions {
  /**
   * fsync before the rename, so a power cut cannot leave an empty file behind. Worth it
   * for state that must survive; data files are rewritten within an interval of every
   * start, and an fsync a second wears out the SD card of a Raspberry Pi.
   */
  durable?: boolean;
}

/**
 * Replaces `file` with `content` so that a reader sees either the old file or the new
 * one, never a torn or empty one: write a temp file in the same folder (rename is only
 * atomic within one filesystem), then rename over the target.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  sequence = (sequence + 1) % 0x100000000;
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${sequence.toString(16).padStart(8, '0')}.tmp`);
  try {
    // The folder exists on every write but the first (or after someone deleted it): no mkdir per write.
    const handle = await open(tmp, 'w', 0o644).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      await mkdir(dir, { recursive: true });
      return open(tmp, 'w', 0o644);
    });
    try {
      await handle.writeFile(content);
      if (opts.durable !== false) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}

/** Temp files a killed process left behind (SIGKILL mid-write): never served, removed at start. */
export async function removeStaleTemps(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/.test(n)).map((n) => rm(path.join(dir, n), { force: true })));
}
