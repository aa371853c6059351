import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Encoding } from '../site/compressedSiblings.js';
import type { PublishedFile, PublishedFiles } from '../write/publishedFiles.js';
import { acceptedEncodings } from './acceptEncoding.js';
import { REVALIDATE } from './headers.js';
import { compress, MAX_SIZE, MIN_SIZE } from './liveCompression.js';
import { CONTENT_TYPES } from './precompressed.js';

type Headers = Record<string, string | number>;

/** One coding of one version, with the headers of its 200 and its 304 made once. */
interface Variant {
  etag: string;
  body: Buffer;
  ok: Headers;
  notModified: Headers;
}

/** A version's answers: compressed ones made on the first request that accepts them. */
interface Prepared {
  identity: Variant;
  coded: Map<Encoding, Variant | Promise<Variant | null> | null>;
}

/** A data file the sidecar in this process has published, named exactly by the request's path. */
export interface MemoryHit {
  rel: string;
  file: PublishedFile;
}

/**
 * Answers the data files the sidecar in this process published (write/publishedFiles.ts)
 * from memory: a viewer polls index.json every interval, and opening, stat-ing and hashing
 * a file for each poll cost ~0.4 % of a core per viewer. Here a poll is a lookup and one
 * write of headers made once per version; nothing is read from disk and nothing built per
 * request but what Node's HTTP server builds anyway.
 *
 * The answers carry what the disk path sends for the same file (serve-handler's ETag,
 * Content-Type, Cache-Control, Vary, the security headers) plus Last-Modified. A path is
 * taken only if it is exactly a published file's: anything else (a page, `..`, a dotfile)
 * goes to the guards and the disk as before. Compressed copies are made once per version
 * and coding; a new version replaces the old in the registry, and its copies go with it.
 */
export function memoryAnswerer(published: PublishedFiles, security: Record<string, string>) {
  const prepared = new WeakMap<PublishedFile, Prepared>();
  // A browser sends the same Accept-Encoding on every request: parsed once per distinct header.
  const codings = new Map<string, Encoding[]>();
  const accepted = (header: string | undefined): Encoding[] => {
    if (header === undefined) return [];
    let known = codings.get(header);
    if (!known) {
      known = acceptedEncodings(header);
      if (codings.size < 32) codings.set(header, known);
    }
    return known;
  };

  const variant = (rel: string, file: PublishedFile, body: Buffer, encoding: Encoding | null): Variant => {
    const etag = encoding ? `${file.etag.slice(0, -1)}-${encoding}"` : file.etag;
    const caching = { ...security, 'Cache-Control': REVALIDATE, ETag: etag, 'Last-Modified': file.lastModified, Vary: 'Accept-Encoding' };
    const base = path.posix.basename(rel);
    const ok: Headers = {
      ...caching,
      'Content-Type': CONTENT_TYPES[path.posix.extname(rel)] ?? 'application/octet-stream',
      'Content-Length': body.length,
      ...(encoding ? { 'Content-Encoding': encoding } : { 'Accept-Ranges': 'bytes', ...(/^[\w.-]+$/.test(base) ? { 'Content-Disposition': `inline; filename="${base}"` } : {}) }),
    };
    return { etag, body, ok, notModified: caching };
  };

  const prepare = (rel: string, file: PublishedFile): Prepared => {
    let p = prepared.get(file);
    if (!p) {
      p = { identity: variant(rel, file, file.body, null), coded: new Map() };
      prepared.set(file, p);
    }
    return p;
  };

  const send = (req: IncomingMessage, res: ServerResponse, v: Variant): true => {
    if (matches(req.headers['if-none-match'], v.etag)) res.writeHead(304, v.notModified).end();
    else res.writeHead(200, v.ok).end(req.method === 'HEAD' ? undefined : v.body);
    return true;
  };

  return {
    find(url: string | undefined): MemoryHit | undefined {
      if (!url) return undefined;
      const q = url.indexOf('?');
      let p = q < 0 ? url : url.slice(0, q);
      if (p.includes('%')) {
        try {
          p = decodeURIComponent(p);
        } catch {
          return undefined;
        }
      }
      if (p.charCodeAt(0) !== 47 /* / */) return undefined;
      const rel = p.slice(1);
      const file = published.get(rel);
      return file ? { rel, file } : undefined;
    },

    /** Answers the request, or returns false having sent nothing (a Range request: the disk answers it). */
    answer(req: IncomingMessage, res: ServerResponse, hit: MemoryHit): boolean | Promise<boolean> {
      if (req.headers.range !== undefined) return false;
      // The version of now: a login check may have waited while a new one was published.
      const file = published.get(hit.rel) ?? hit.file;
      const p = prepare(hit.rel, file);
      const size = file.body.length;
      if (size < MIN_SIZE || size > MAX_SIZE) return send(req, res, p.identity);
      for (const encoding of accepted(req.headers['accept-encoding'])) {
        const known = p.coded.get(encoding);
        if (known === null) continue;
        if (known === undefined) {
          const making = compress(file.body, encoding).then(
            (body) => variant(hit.rel, file, body, encoding),
            () => null,
          );
          p.coded.set(encoding, making);
          void making.then((v) => p.coded.set(encoding, v));
          return making.then((v) => send(req, res, v ?? p.identity));
        }
        if (known instanceof Promise) return known.then((v) => send(req, res, v ?? p.identity));
        return send(req, res, known);
      }
      return send(req, res, p.identity);
    },
  };
}

/** If-None-Match (RFC 9110 §13.1.2): a list of ETags, or `*`, compared weakly. */
function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header === etag) return true;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
