import http from 'node:http';
import https from 'node:https';
import { classifyRcAnswer } from './rcResponse.js';

/** What one RC call came to. Every way a call can fail maps to exactly one of these. */
export type RcOutcome =
  | { kind: 'ok'; body: unknown; latencyMs: number }
  | { kind: 'idle' | 'unreachable' | 'auth_failed' | 'auth_required' | 'error'; message: string; latencyMs: number | null };

export interface RcTarget {
  url: string;
  user: string | null;
  pass: string | null;
}

/** Bodies past this are refused unread: core/stats with thousands of checks stays far below it. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * One kept-alive connection per instance: polls never overlap, and rclone needs no more.
 * Node's own http client, not undici: undici costs ~4 MB of heap and ~9 MB resident in a
 * process that makes one small request every few seconds for months.
 */
export interface RcDispatcher {
  agentFor(url: URL): http.Agent;
  close(): Promise<void>;
}

export function createDispatcher(): RcDispatcher {
  const agents = new Map<string, http.Agent>();
  return {
    agentFor(url) {
      let agent = agents.get(url.protocol);
      if (!agent) {
        const Agent = url.protocol === 'https:' ? https.Agent : http.Agent;
        // Kept open longer than the idle interval, so a poll between uploads reuses it too.
        agent = new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, timeout: 60_000 });
        agents.set(url.protocol, agent);
      }
      return agent;
    },
    async close() {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    },
  };
}

export async function rcCall(
  target: RcTarget,
  method: string,
  opts: { dispatcher: RcDispatcher; timeoutMs: number; input?: Record<string, unknown> },
): Promise<RcOutcome> {
  const started = performance.now();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (target.user !== null || target.pass !== null) {
    headers.authorization = `Basic ${Buffer.from(`${target.user ?? ''}:${target.pass ?? ''}`).toString('base64')}`;
  }
  try {
    const url = new URL(`${target.url}/${method}`);
    const body = JSON.stringify(opts.input ?? {});
    headers['content-length'] = String(Buffer.byteLength(body));
    const { status, text } = await post(url, headers, body, opts.dispatcher, opts.timeoutMs);
    const latencyMs = performance.now() - started;
    if (typeof text === 'number') return fail('error', `answer too large (${text ? `${text} bytes, limit ${MAX_BODY_BYTES}` : `over ${MAX_BODY_BYTES} bytes`})`, started);
    return { ...classifyRcAnswer(status, text, method), latencyMs };
  } catch (err) {
    return classifyFailure(err, started);
  }
}

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/**
 * One POST with the whole exchange (connect, headers, body) under one deadline. `text` is a
 * number when the answer was refused for its size: the declared length, or 0 if it only
 * grew past the limit while arriving.
 */
function post(url: URL, headers: Record<string, string>, body: string, dispatcher: RcDispatcher, timeoutMs: number): Promise<{ status: number; text: string | number }> {
  return new Promise((resolve, reject) => {
    // Settled once: destroying the exchange after an answer is refused emits errors of its own.
    let settled = false;
    const done = (outcome: { status: number; text: string | number } | Error) => {
      if (settled) return;
      settled = true;
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const send = url.protocol === 'https:' ? https.request : http.request;
    const req = send(url, { method: 'POST', headers, agent: dispatcher.agentFor(url) }, (res) => {
      const refuse = (text: number) => {
        done({ status: res.statusCode ?? 0, text });
        req.destroy();
      };
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > MAX_BODY_BYTES) return refuse(declared);
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) return refuse(0);
        chunks.push(chunk);
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', done);
      res.on('aborted', () => done(Object.assign(new Error('the connection was closed mid-answer'), { code: 'ECONNRESET' })));
    });
    const timer = setTimeout(() => req.destroy(new TimeoutError('no answer in time')), timeoutMs);
    req.on('error', done);
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}

function classifyFailure(err: unknown, started: number): RcOutcome {
  const code = errorCode(err);
  if (code === 'ECONNREFUSED') return fail('idle', 'connection refused: nothing is listening', started);
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return fail('unreachable', 'no answer in time', started);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return fail('unreachable', 'the host name does not resolve', started);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EHOSTDOWN') return fail('unreachable', 'no route to the host', started);
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return fail('error', 'the connection was closed mid-answer', started);
  }
  return fail('error', err instanceof Error ? err.message : String(err), started);
}

function errorCode(err: unknown): string | undefined {
  // A wrapped socket error keeps its errno code on the cause.
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function fail(kind: 'idle' | 'unreachable' | 'auth_failed' | 'error', message: string, started: number): RcOutcome {
  return { kind, message, latencyMs: kind === 'idle' ? null : performance.now() - started };
}
