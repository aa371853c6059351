import { constants, createReadStream, type ReadStream, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type handlerType from 'serve-handler';
import { requestGuards, type GuardOptions } from './guards.js';
import type { PublishedFiles } from '../write/publishedFiles.js';
import { IMMUTABLE, REVALIDATE, SECURITY_HEADERS, securityHeaders, withFrameAncestors } from './headers.js';
import { memoryAnswerer } from './memoryAnswer.js';
import { sendPrecompressed } from './precompressed.js';

/**
 * serve-handler (with its MIME table) is loaded on the first request it answers: data files
 * come from memory and pages from their .br/.gz, so a sidecar nobody views, or whose viewers'
 * browsers take br, never holds its ~10 MB.
 */
let handlerLoaded: Promise<typeof handlerType> | null = null;
const serveHandler = () => (handlerLoaded ??= import('serve-handler').then((m) => m.default));

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const header = (source: string, pairs: Record<string, string>) => ({
  source,
  headers: Object.entries(pairs).map(([key, value]) => ({ key, value })),
});

const HANDLER_OPTIONS = {
  cleanUrls: true,
  directoryListing: false,
  // A symlink could point out of the output folder.
  symlinks: false,
  etag: true,
  headers: [
    header('**', { ...SECURITY_HEADERS, 'Cache-Control': REVALIDATE }),
    header('assets/**', { 'Cache-Control': IMMUTABLE }),
    header('**/*.json', { 'Content-Type': 'application/json; charset=utf-8' }),
    header('metrics.prom', { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }),
  ],
};

/**
 * A read-only static server for the output folder: GET and HEAD, nothing else. `published`:
 * what a sidecar in the same process (`run`) has written, answered from memory.
 */
export function startServer(opts: GuardOptions & { port: number; published?: PublishedFiles }): Promise<RunningServer> {
  const options = { ...HANDLER_OPTIONS, public: opts.root, headers: withFrameAncestors(HANDLER_OPTIONS.headers, opts.frameAncestors) };
  const guard = requestGuards(opts);
  const memory = opts.published ? memoryAnswerer(opts.published, securityHeaders(opts.frameAncestors)) : null;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end('plowboard is read-only: GET and HEAD only\n');
      return;
    }
    const hit = memory?.find(req.url);
    // Host (421), login (401), dotfiles and paths leading out of the folder (404): guards.ts.
    // Neither is awaited unless it returns a promise: a poll answered from memory takes no turn of the loop.
    const guarded = guard(req, res, hit !== undefined);
    if (guarded === true || (guarded !== false && (await guarded))) return;
    // A data file the sidecar in this process published: from memory, as it published it.
    if (hit) {
      const answered = memory!.answer(req, res, hit);
      if (answered === true || (answered !== false && (await answered))) return;
    }
    // The data files are replaced every few seconds, and serve-handler reaches a file by
    // its name three times (stat for Content-Length, a read for the ETag, a read for the
    // body): a rename in between sent one file's length with another's bytes, which a
    // browser drops as ERR_CONTENT_LENGTH_MISMATCH. Each file is opened once per answer
    // and all three are taken from that one open file, as nginx does.
    const pinned = new Map<string, { handle: FileHandle; stats: Stats }>();
    let answered = false;
    // serve-handler opens the file before it compares ETags and never closes it on a 304:
    // every unchanged poll would hold a file descriptor for good, until the process runs
    // out (EMFILE) and dies on the stream's unhandled error. The streams it opens are
    // tracked here, closed once the answer is done, and their errors answered, not thrown.
    const opened: ReadStream[] = [];
    const methods = {
      lstat: async (file: string): Promise<Stats> => {
        const known = pinned.get(file);
        if (known) return known.stats;
        // O_NOFOLLOW: a symlink fails to open (ELOOP) and is answered by lstat as one, never
        // served. O_NONBLOCK: a FIFO left in the folder must not hold a thread waiting for a writer.
        const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => null);
        if (!handle) return lstat(file);
        const stats = await handle.stat().catch(async (err: unknown) => {
          await handle.close();
          throw err;
        });
        if (!stats.isFile() || answered) {
          await handle.close();
          // Only files and folders are served: a FIFO, socket or device answers 404.
          if (!stats.isFile() && !stats.isDirectory()) throw Object.assign(new Error(`not a regular file: ${file}`), { code: 'ENOENT' });
          return stats;
        }
        pinned.set(file, { handle, stats });
        return stats;
      },
      createReadStream: (file: string, streamOpts?: { start?: number; end?: number }) => {
        const handle = pinned.get(file)?.handle;
        // Two streams (ETag, body) share the handle: each reads from its own offset, and the handle is closed below.
        const stream = handle ? createReadStream(file, { fd: handle, start: streamOpts?.start ?? 0, end: streamOpts?.end, autoClose: false }) : createReadStream(file, streamOpts);
        stream.on('error', () => {
          if (!res.headersSent) res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '1', ...SECURITY_HEADERS });
          res.destroy();
        });
        opened.push(stream);
        return stream;
      },
    };
    // serve-handler answers 304 bare; HTTP wants the ETag and Cache-Control a 200 would carry.
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      if (res.statusCode === 304 && !res.headersSent) {
        res.setHeader('ETag', String(req.headers['if-none-match']));
        res.setHeader('Cache-Control', req.url?.startsWith('/assets/') ? IMMUTABLE : REVALIDATE);
      }
      return end(...args);
    }) as ServerResponse['end'];
    res.once('close', () => {
      answered = true;
      for (const stream of opened) stream.destroy();
      // A FileHandle closes after the reads still under way on it.
      for (const { handle } of pinned.values()) void handle.close().catch(() => undefined);
    });
    // A client that takes br or gzip: the build's .br/.gz of a page, a data file compressed once per version (precompressed.ts).
    sendPrecompressed(req, res, opts.root, securityHeaders(opts.frameAncestors))
      .then(async (sent) => (sent ? undefined : (await serveHandler())(req, res, options, methods)))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
        res.end();
      });
  });
  // A slow or idle client must not hold a socket for ever on a box that runs for months.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;

  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(listenProblem(err, opts.host, opts.port))));
    server.listen(opts.port, opts.host, () => {
      const { port } = server.address() as AddressInfo;
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      resolve({
        url: `http://${host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function listenProblem(err: NodeJS.ErrnoException, host: string, port: number): string {
  const where = `cannot listen on ${host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `${where}: the port is already in use (another plowboard? choose another with --port)`;
    case 'EACCES':
      return `${where}: not permitted (ports below 1024 need privileges; choose another with --port)`;
    case 'EADDRNOTAVAIL':
      return `${where}: this machine has no such address (check --host)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${where}: the host name does not resolve (check --host)`;
    default:
      return `${where}: ${err.message}`;
  }
}
