import http from 'node:http';
import net from 'node:net';

/**
 * A pass-through proxy in front of rclone's RC that counts what a dashboard asks: one per
 * server, so plowboard's and the fork's requests are told apart against the same rclone.
 * `auth` is added when the client sends none (the fork's requests.post sends no user).
 */
export class RcCounter {
  count = 0;
  readonly byPath = new Map<string, number>();
  private server: http.Server | null = null;
  private readonly agent = new http.Agent({ keepAlive: true });
  port = 0;

  constructor(
    private readonly upstreamPort: number,
    private readonly auth: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.count++;
      this.byPath.set(req.url ?? '', (this.byPath.get(req.url ?? '') ?? 0) + 1);
      const headers = { ...req.headers, authorization: req.headers.authorization ?? this.auth };
      const up = http.request({ host: '127.0.0.1', port: this.upstreamPort, path: req.url, method: req.method, headers, agent: this.agent }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  reset(): void {
    this.count = 0;
    this.byPath.clear();
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/**
 * A TCP pass-through in front of a web server that counts the bytes each way, at the
 * socket: what a viewer really receives, headers and framing included, in whatever
 * encoding the server chose to send.
 */
export class WireCounter {
  /** Bytes the server sent to the viewers. */
  down = 0;
  /** Bytes the viewers sent (requests). */
  up = 0;
  connections = 0;
  /** Requests by path (query left off), read from the request lines that pass. */
  readonly asked = new Map<string, number>();
  /** Answers by status, read from the status lines that pass. */
  readonly answered = new Map<string, number>();
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly upstreamPort: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = net.createServer((client) => {
      this.connections++;
      const upstream = net.connect(this.upstreamPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      // A line split across two reads is missed: requests are a few hundred bytes, sent whole.
      client.on('data', (d: Buffer) => {
        this.up += d.length;
        for (const m of d.toString('latin1').matchAll(/(?:GET|HEAD) (\/[^\s?]*)\S* HTTP\/1\.[01]\r\n/g)) tally(this.asked, m[1]!);
      });
      upstream.on('data', (d: Buffer) => {
        this.down += d.length;
        // At the start of a read or after a blank line: not a body that happens to hold the words.
        for (const m of d.toString('latin1').matchAll(/(?:^|\r\n\r\n)HTTP\/1\.[01] (\d{3}) /g)) tally(this.answered, m[1]!);
      });
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  reset(): void {
    this.down = 0;
    this.up = 0;
    this.connections = 0;
    this.asked.clear();
    this.answered.clear();
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

const tally = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);
