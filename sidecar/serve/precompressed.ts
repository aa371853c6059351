import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { lstat, open, readlink, realpath } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { COMPRESSIBLE, ENCODINGS, type Encoding } from '../site/compressedSiblings.js';
import { acceptedEncodings } from './acceptEncoding.js';
import { IMMUTABLE, REVALIDATE, SECURITY_HEADERS } from './headers.js';
import { compressedNow, DATA_FILE } from './liveCompression.js';

/** The types serve-handler gives these names (mime-types), for the compressed answer of the same file. */
export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  // As server.ts sets it for metrics.prom: Prometheus's text format.
  '.prom': 'text/plain; version=0.0.4; charset=utf-8',
};

/**
 * Answers a GET or HEAD compressed when the client accepts a coding: a page, script or
 * stylesheet with the build's precompressed sibling (`file.br`, `file.gz`, see
 * site/compressedSiblings.ts), a data file compressed now (liveCompression.ts). Returns
 * false, having sent nothing, whenever it does not answer, and serve-handler answers with
 * the file as it is. A URL it takes is mapped the way serve-handler maps it: `dir/` is `dir/index.html`;
 * `x.html` and names without an extension are left to serve-handler (clean-URL redirects).
 *
 * A sibling is used only if it is a regular file, reached without a symlink, inside the
 * output folder, and no older than the original: a rebuild that has replaced a page but not
 * yet its `.br` gets the page itself, never the old bytes.
 *
 * The sibling is read whole and closed before anything is sent (the largest is ~165 KB):
 * no descriptor is held by a 304, a HEAD, a slow client or one that goes away mid-answer.
 */
export async function sendPrecompressed(req: IncomingMessage, res: ServerResponse, root: string, security: Record<string, string> = SECURITY_HEADERS): Promise<boolean> {
  if ((req.method !== 'GET' && req.method !== 'HEAD') || req.headers.range !== undefined) return false;
  const rel = relativeFile(req.url ?? '/');
  if (!rel) return false;
  const data = DATA_FILE.test(rel);
  if (!data && !COMPRESSIBLE.test(rel)) return false;
  // The same URL is answered compressed or not by Accept-Encoding: say so on both answers,
  // so a shared cache never hands one client's coding to another.
  res.setHeader('Vary', 'Accept-Encoding');
  const wanted = acceptedEncodings(req.headers['accept-encoding']);
  if (!wanted.length) return false;
  try {
    const realRoot = await realpath(root);
    const file = path.join(realRoot, rel);
    // Folders on the way are resolved: a symlinked folder that leads out is not followed.
    if (!isInside(realRoot, await realpath(path.dirname(file)))) return false;
    const original = await lstat(file);
    if (!original.isFile()) return false;
    for (const encoding of wanted) {
      const body = data ? await compressedNow(realRoot, file, encoding) : await readSibling(realRoot, file + ENCODINGS.find((e) => e.encoding === encoding)!.suffix, original);
      if (body) {
        answer(req, res, { rel, encoding, body, security });
        return true;
      }
      // A data file too small to compress is so in every coding.
      if (data) return false;
    }
  } catch {
    // Anything unexpected (a file going away, no descriptors left): serve-handler answers instead.
    return false;
  }
  return false;
}

/** The file a URL names under the output folder, or null for anything but a plain path of plain names. */
function relativeFile(url: string): string | null {
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  if (!pathname.startsWith('/') || /[\0\\]/.test(pathname)) return null;
  const parts = pathname.slice(1).split('/');
  const dir = parts.at(-1) === '';
  if (dir) parts[parts.length - 1] = 'index.html';
  else if (/\.html$/.test(pathname) || !path.posix.extname(pathname)) return null;
  // No empty, dot or dot-dot segment, and no dotfile: those are for the server's own rules.
  if (parts.some((p) => p === '' || p.startsWith('.'))) return null;
  return parts.join('/');
}

const isInside = (root: string, p: string) => p === root || p.startsWith(root + path.sep);

/** The sibling's bytes if it may stand for the original, else null. */
async function readSibling(realRoot: string, file: string, original: Stats): Promise<Buffer | null> {
  // O_NOFOLLOW: a symlink fails to open (ELOOP). O_NONBLOCK: a FIFO must not wait for a writer.
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => null);
  if (!handle) return null;
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.size === 0 || stats.mtimeMs < original.mtimeMs) return null;
    // Where the open file really is, past any folder swapped for a symlink since the check above.
    const where = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => null);
    if (where !== null && !isInside(realRoot, where)) return null;
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

function answer(req: IncomingMessage, res: ServerResponse, a: { rel: string; encoding: Encoding; body: Buffer; security: Record<string, string> }): void {
  // One ETag per coding, from the bytes sent: a cache can never revalidate one coding's copy with another's.
  const etag = `"${createHash('sha1').update(a.body).digest('hex')}-${a.encoding}"`;
  const caching = {
    // The server's own (its frame-ancestors), as serve-handler sends them.
    ...a.security,
    'Cache-Control': a.rel.startsWith('assets/') ? IMMUTABLE : REVALIDATE,
    ETag: etag,
    Vary: 'Accept-Encoding',
  };
  if (matches(req.headers['if-none-match'], etag)) {
    res.writeHead(304, caching).end();
    return;
  }
  res.writeHead(200, {
    ...caching,
    'Content-Type': CONTENT_TYPES[path.posix.extname(a.rel)] ?? 'application/octet-stream',
    'Content-Encoding': a.encoding,
    'Content-Length': a.body.length,
  });
  res.end(req.method === 'HEAD' ? undefined : a.body);
}

/** If-None-Match (RFC 9110 §13.1.2): a list of ETags, or `*`, compared weakly. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
