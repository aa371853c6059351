import { constants as fsConstants } from 'node:fs';
import { open, readlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Encoding } from '../site/compressedSiblings.js';

/**
 * Data files (data/*.json, the CSVs, metrics.prom) are rewritten by the sidecar every few
 * seconds, so the build cannot compress them; they are compressed here when asked for, once
 * per version of each file and coding, and that copy is reused until the file is replaced.
 * Measured on the sample output (README, Serving): a data file shrinks 3–20× (live.json
 * 6.6 KB → 1.4 KB, transfers.json at 1,000 transfers 392 KB → 20 KB) for 0.05–15 ms of CPU
 * once per change, against every viewer downloading it whole on every change.
 */
export const DATA_FILE = /^(data\/[^/]+\.(json|csv)|metrics\.prom)$/;
/** Below this an answer fits one packet anyway: compressing it buys nothing. */
export const MIN_SIZE = 1024;
/** Larger than any data file at 100× the bench's scale (3.5 MB): beyond it, send it as it is. */
export const MAX_SIZE = 16 * 1024 * 1024;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

interface Entry {
  dev: number;
  ino: number;
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  body: Buffer;
}
/** file + coding → the compressed copy of one version; a few dozen data files at most. */
const cache = new Map<string, Entry>();
const CACHE_ENTRIES = 64;

/** Fast settings: this runs while a viewer waits, in zlib's thread pool, not on the main thread. */
export function compress(source: Buffer, encoding: Encoding): Promise<Buffer> {
  return encoding === 'br' ? brotli(source, { params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_SIZE_HINT]: source.length } }) : gzipAsync(source, { level: 6 });
}

/**
 * The compressed bytes of `file` as it is now, or null if it is not a regular file of a
 * size worth compressing, or lies outside `realRoot`. Opened without following a symlink
 * and closed before returning. Every write of a data file is a rename of a new file, so a
 * new version has a new inode and ctime: both are in the key.
 */
export async function compressedNow(realRoot: string, file: string, encoding: Encoding): Promise<Buffer | null> {
  const handle = await open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK).catch(() => null);
  if (!handle) return null;
  let source: Buffer;
  let key: Omit<Entry, 'body'>;
  try {
    const s = await handle.stat();
    if (!s.isFile() || s.size < MIN_SIZE || s.size > MAX_SIZE) return null;
    const where = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => null);
    if (where !== null && !where.startsWith(realRoot + '/')) return null;
    key = { dev: s.dev, ino: s.ino, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, size: s.size };
    const known = cache.get(`${file}\0${encoding}`);
    if (known && known.dev === key.dev && known.ino === key.ino && known.mtimeMs === key.mtimeMs && known.ctimeMs === key.ctimeMs && known.size === key.size) return known.body;
    source = await handle.readFile();
  } finally {
    await handle.close();
  }
  const body = await compress(source, encoding);
  cache.delete(`${file}\0${encoding}`);
  cache.set(`${file}\0${encoding}`, { ...key, body });
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  return body;
}
