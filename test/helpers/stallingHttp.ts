import { createServer, type Server } from 'node:http';

/**
 * An HTTP folder for rclone's `:http:` backend whose one file stops sending after its
 * first bytes and never finishes: a stalled upload source, which a real server cannot be
 * made to produce on demand. rclone reads the folder listing as HTML links.
 */
export class StallingHttp {
  private server: Server | null = null;
  private readonly open = new Set<import('node:http').ServerResponse>();
  port = 0;

  constructor(
    readonly name: string,
    readonly size: number,
    readonly sentBeforeStall: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<void> {
    const body = Buffer.alloc(this.size, 7);
    this.server = createServer((req, res) => {
      const file = `/${encodeURIComponent(this.name)}`;
      if (req.url === '/') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(`<html><body><a href="${file}">${this.name}</a></body></html>`);
      } else if (req.url === file) {
        const headers = { 'content-type': 'application/octet-stream', 'content-length': String(this.size), 'last-modified': new Date(0).toUTCString() };
        res.writeHead(200, headers);
        if (req.method === 'HEAD') return void res.end();
        this.open.add(res);
        res.on('close', () => this.open.delete(res));
        res.write(body.subarray(0, this.sentBeforeStall));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
