import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Replaces `file` with `content` so that a reader sees either the old file or the new
 * one, never a torn or empty one: write a temp file in the same folder (rename is only
 * atomic within one filesystem), fsync it, then rename over the target.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'w', 0o644);
    try {
      await handle.writeFile(content);
      // Without the fsync a power cut after the rename can leave an empty file behind.
      await handle.sync();
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
