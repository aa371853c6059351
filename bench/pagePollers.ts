import http from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/**
 * Many viewers without many browsers, for the fork's page (dashboard/templates/index.html):
 * every 3 s, its five /api/ calls at once. plowboard's viewers run the page's own Poller
 * (realPoller.ts).
 *
 * Every request says `Accept-Encoding: gzip, deflate, br, zstd`, as Chromium does; bytes are
 * counted as received (status line, headers, body in the encoding sent).
 */
export interface PollResult {
  requests: number;
  errors: number;
  bytes: number;
  p50Ms: number;
  p99Ms: number;
}

const ACCEPT = { 'accept-encoding': 'gzip, deflate, br, zstd', 'user-agent': 'plowboard-bench-poller' };

export interface Answer {
  status: number;
  etag: string | undefined;
  headers: http.IncomingHttpHeaders;
  /** As sent, in its encoding. */
  raw: Buffer;
  body: Buffer;
  bytes: number;
}

export function get(agent: http.Agent, base: URL, p: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, path: p, headers: { ...ACCEPT, ...headers }, agent, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      const head = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n${res.rawHeaders.reduce((s, v, i) => s + (i % 2 ? `${v}\r\n` : `${v}: `), '')}\r\n`;
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const enc = res.headers['content-encoding'];
        const body = enc === 'br' ? brotliDecompressSync(raw) : enc === 'gzip' ? gunzipSync(raw) : enc === 'deflate' ? inflateSync(raw) : raw;
        resolve({ status: res.statusCode ?? 0, etag: res.headers.etag, headers: res.headers, raw, body, bytes: raw.length + Buffer.byteLength(head) });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export type Count = (a: Answer | null, ms: number) => void;

export type Pattern = (agent: http.Agent, base: URL, count: Count) => () => Promise<number>;

/** One request, timed and counted: no answer (null), or an answer of 400 or more, counts as failed. */
export async function timedGet(agent: http.Agent, base: URL, p: string, headers: Record<string, string>, count: Count): Promise<Answer | null> {
  const t0 = performance.now();
  const a = await get(agent, base, p, headers).catch(() => null);
  count(a && a.status < 400 ? a : null, performance.now() - t0);
  return a;
}

/** The fork's page: five calls at once every 3 s (a setInterval: the next starts 3 s after the last started). */
export const forkPage: Pattern = (agent, base, count) => async () => {
  const started = performance.now();
  await Promise.all(
    ['/api/status', '/api/queue_status', '/api/session_stats', '/api/service_accounts', '/api/rclone_stats'].map((p) => timedGet(agent, base, p, {}, count)),
  );
  return Math.max(0, 3000 - (performance.now() - started));
};

/** `perPoll` requests for `path` one after the other, every `periodMs`, none conditional: the HTTP floor's load (nodeFloor.ts). */
export const repeatedAsk =
  (p: string, perPoll: number, periodMs: number): Pattern =>
  (agent, base, count) =>
  async () => {
    const started = performance.now();
    for (let i = 0; i < perPoll; i++) await timedGet(agent, base, p, {}, count);
    return Math.max(0, periodMs - (performance.now() - started));
  };

/** `pollers` viewers of one pattern against `baseUrl` for `durationMs`, their starts spread over the first interval. */
export async function runPagePollers(opts: { baseUrl: string; pollers: number; durationMs: number; pattern: Pattern; spreadMs?: number }): Promise<PollResult> {
  const base = new URL(opts.baseUrl);
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  const end = Date.now() + opts.durationMs;
  const agents: http.Agent[] = [];
  await Promise.all(
    Array.from({ length: opts.pollers }, async (_, i) => {
      // A browser keeps up to six connections to a host alive.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
      agents.push(agent);
      const poll = opts.pattern(agent, base, (a, ms) => {
        if (!a) errors++;
        else bytes += a.bytes;
        latencies.push(ms);
      });
      await new Promise((r) => setTimeout(r, ((opts.spreadMs ?? 2000) * i) / opts.pollers));
      while (Date.now() < end) {
        const wait = await poll();
        const left = end - Date.now();
        if (left <= 0) break;
        await new Promise((r) => setTimeout(r, Math.min(left, wait)));
      }
    }),
  );
  for (const a of agents) a.destroy();
  return summarize(latencies, errors, bytes);
}

export function summarize(latencies: number[], errors: number, bytes: number): PollResult {
  const s = [...latencies].sort((a, b) => a - b);
  return { requests: latencies.length, errors, bytes, p50Ms: s[Math.floor(s.length / 2)] ?? 0, p99Ms: s[Math.floor(s.length * 0.99)] ?? 0 };
}
