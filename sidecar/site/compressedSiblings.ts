import { open, rm, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { writeFileAtomic } from '../write/atomic.js';

/**
 * The precompressed copies the site build writes beside each text file it emits
 * (`index.html.br`, `index.html.gz`), for the built-in server (serve/precompressed.ts) and
 * nginx's `gzip_static`/`brotli_static`. The build pays the compression once, at the best
 * ratio, instead of every answer paying it.
 */
export const ENCODINGS = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
] as const;
export type Encoding = (typeof ENCODINGS)[number]['encoding'];

/** What the site build emits as text; images and fonts are compressed already or absent. */
export const COMPRESSIBLE = /\.(html|js|css|svg|json|txt)$/;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * Brotli at its best quality costs ~1 s for the 545 KB Vega chunk and saves 8 % over
 * quality 9; it runs once per hashed asset (a rebuild finds the siblings fresh and skips
 * them) and in zlib's thread pool, beside Eleventy's work on the main thread.
 */
function compress(encoding: Encoding, bytes: Uint8Array): Promise<Buffer> {
  if (encoding === 'br') {
    return brotli(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    });
  }
  return gzipAsync(bytes, { level: constants.Z_BEST_COMPRESSION });
}

/**
 * Writes `file.br` and `file.gz` from the file as it is now, each by temp file and rename.
 * A sibling is served only while it is no older than its original (serve/precompressed.ts),
 * so siblings are always written after the original: an original replaced later (the next
 * build) makes them stale, never wrong. With `skipFresh`, siblings already newer than the
 * original are kept: a hashed asset never changes content.
 */
export async function writeCompressedSiblings(file: string, opts: { skipFresh?: boolean } = {}): Promise<void> {
  // Content and identity from one open file, so what is compressed is the version whose mtime was read.
  const handle = await open(file, 'r');
  let before;
  let bytes: Buffer;
  try {
    before = await handle.stat();
    bytes = await handle.readFile();
  } finally {
    await handle.close();
  }
  const stale = async (suffix: string) => {
    if (!opts.skipFresh) return true;
    const s = await stat(file + suffix).catch(() => null);
    return !s || s.mtimeMs < before.mtimeMs;
  };
  await Promise.all(
    ENCODINGS.map(async ({ encoding, suffix }) => {
      if (await stale(suffix)) await writeFileAtomic(file + suffix, await compress(encoding, bytes));
    }),
  );
  // Replaced while we compressed (a second writer): our siblings hold the old bytes but are
  // newer than the new original, so they would pass the age check. Remove them.
  const after = await stat(file).catch(() => null);
  if (!after || after.ino !== before.ino || after.mtimeMs !== before.mtimeMs || after.size !== before.size) {
    await Promise.all(ENCODINGS.map(({ suffix }) => rm(file + suffix, { force: true })));
  }
}
