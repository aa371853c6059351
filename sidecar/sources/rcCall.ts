import { Agent, errors, request } from 'undici';
import { classifyRcAnswer } from './rcResponse.js';

/** What one RC call came to. Every way a call can fail maps to exactly one of these. */
export type RcOutcome =
  | { kind: 'ok'; body: unknown; latencyMs: number }
  | { kind: 'idle' | 'unreachable' | 'auth_failed' | 'auth_required' | 'error'; message: string; latencyMs: number | null; timedOut?: true };

export interface RcTarget {
  url: string;
  user: string | null;
  pass: string | null;
}

/** Bodies past this are refused unread: core/stats with thousands of checks stays far below it. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

export function createDispatcher(timeoutMs: number): Agent {
  // One connection per instance: polls never overlap, and rclone needs no more.
  return new Agent({
    connections: 1,
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    // Outlasts the idle interval (at most 30 s), so a sidecar at rest reuses one connection.
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 60_000,
  });
}

export async function rcCall(
  target: RcTarget,
  method: string,
  opts: { dispatcher: Agent; timeoutMs: number; input?: Record<string, unknown> },
): Promise<RcOutcome> {
  const started = performance.now();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (target.user !== null || target.pass !== null) {
    headers.authorization = `Basic ${Buffer.from(`${target.user ?? ''}:${target.pass ?? ''}`).toString('base64')}`;
  }
  try {
    const res = await request(`${target.url}/${method}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(opts.input ?? {}),
      dispatcher: opts.dispatcher,
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    const declared = Number(res.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      res.body.destroy();
      return fail('error', `answer too large (${declared} bytes, limit ${MAX_BODY_BYTES})`, started);
    }
    const text = await readCapped(res.body, MAX_BODY_BYTES);
    const latencyMs = performance.now() - started;
    if (text === null) return fail('error', `answer too large (over ${MAX_BODY_BYTES} bytes)`, started);
    return { ...classifyRcAnswer(res.statusCode, text, method), latencyMs };
  } catch (err) {
    return classifyFailure(err, started);
  }
}

function classifyFailure(err: unknown, started: number): RcOutcome {
  const code = errorCode(err);
  if (code === 'ECONNREFUSED') return fail('idle', 'connection refused: nothing is listening', started);
  if (
    err instanceof errors.ConnectTimeoutError ||
    err instanceof errors.HeadersTimeoutError ||
    err instanceof errors.BodyTimeoutError ||
    (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
  ) {
    return { kind: 'unreachable', message: 'no answer in time', latencyMs: performance.now() - started, timedOut: true };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return fail('unreachable', 'the host name does not resolve', started);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EHOSTDOWN') return fail('unreachable', 'no route to the host', started);
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') {
    return fail('error', 'the connection was closed mid-answer', started);
  }
  return fail('error', err instanceof Error ? err.message : String(err), started);
}

function errorCode(err: unknown): string | undefined {
  // undici wraps the socket error; the errno code sits on the cause.
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('UND_ERR_')) return code;
    if (code === 'UND_ERR_SOCKET') return code;
  }
  return undefined;
}

function fail(kind: 'idle' | 'unreachable' | 'auth_failed' | 'error', message: string, started: number): RcOutcome {
  return { kind, message, latencyMs: kind === 'idle' ? null : performance.now() - started };
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): void }, max: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
