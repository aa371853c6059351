import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../sidecar/serve/headers.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

export interface ServedRequest {
  path: string;
  status: number;
}

/**
 * A test-only static server for an output folder: GET and HEAD, a content-hash ETag and
 * 304 on If-None-Match (so the page's conditional polling is really exercised), and the
 * product's Content-Security-Policy, so a page that needs inline script, eval or another
 * host fails here first. The real server lives in sidecar/serve.
 */
export class StaticServer {
  readonly log: ServedRequest[] = [];
  private server: Server | null = null;
  url = '';

  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void (async () => {
        const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
        const file = path.join(this.root, urlPath.endsWith('/') ? `${urlPath}index.html` : urlPath);
        const status = await (async () => {
          if (req.method !== 'GET' && req.method !== 'HEAD') return 405;
          if (!file.startsWith(this.root + path.sep)) return 404;
          const body = await readFile(file).catch(() => null);
          if (!body) return 404;
          const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
          res.setHeader('ETag', etag);
          res.setHeader('Cache-Control', 'no-cache');
          res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
          if (req.headers['if-none-match'] === etag) return 304;
          res.setHeader('Content-Type', TYPES[path.extname(file)] ?? 'application/octet-stream');
          res.setHeader('Content-Length', body.length);
          res.writeHead(200).end(req.method === 'HEAD' ? undefined : body);
          return 200;
        })();
        if (!res.headersSent) res.writeHead(status).end();
        this.log.push({ path: urlPath, status });
      })();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  /** How often a path was answered with a status. */
  count(urlPath: string, status: number): number {
    return this.log.filter((r) => r.path === urlPath && r.status === status).length;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
