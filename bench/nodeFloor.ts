/**
 * What the least Node.js process can cost on this machine, beside plowboard in the idle
 * window: `node` doing nothing, and `node` asking rclone for core/stats through undici (the
 * RC client plowboard's fixed shape names) every idle interval, with the V8 flag plowboard
 * runs with. The difference between plowboard and these is what plowboard itself adds; the
 * floor is what no Node.js sidecar polling with undici can go under.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { stopProcess } from '../test/helpers/cloudplow.js';
// @ts-expect-error plain JavaScript beside bin/plowboard.js, read before anything is compiled
import { LONG_RUNNING_FLAGS as FLAGS } from '../bin/v8Flags.js';

/** The V8 flags plowboard's unit and image run it with. */
export const LONG_RUNNING_FLAGS = FLAGS as string[];

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const BARE = 'setInterval(() => {}, 10_000);';
/** plowboard's own shape of call: one keep-alive Agent, POST with a JSON body, the answer read whole. */
const UNDICI_POLLER = `
const { Agent, request } = require('undici');
const agent = new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });
const headers = { 'content-type': 'application/json', authorization: process.env.FLOOR_AUTH };
const ask = () => request(process.env.FLOOR_URL + '/core/stats', { method: 'POST', headers, body: '{}', dispatcher: agent }).then((r) => r.body.json(), () => null);
ask();
setInterval(ask, Number(process.env.FLOOR_EVERY_MS));
`;

/** `nodeUndici` asks every idle interval (10 s), `nodeUndiciActive` every active one (2 s), as plowboard between and during uploads. */
export type FloorName = 'nodeBare' | 'nodeUndici' | 'nodeUndiciActive';

export interface Floors {
  pids: Record<FloorName, number>;
  stop: () => Promise<void>;
}

export function startFloors(rcUrl: string, auth: string): Floors {
  const start = (script: string, everyMs = 0): ChildProcess =>
    spawn(process.execPath, [...LONG_RUNNING_FLAGS, '-e', script], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', FLOOR_URL: rcUrl, FLOOR_AUTH: auth, FLOOR_EVERY_MS: String(everyMs) },
      stdio: 'ignore',
    });
  const procs = { nodeBare: start(BARE), nodeUndici: start(UNDICI_POLLER, 10_000), nodeUndiciActive: start(UNDICI_POLLER, 2000) };
  return {
    pids: { nodeBare: procs.nodeBare.pid!, nodeUndici: procs.nodeUndici.pid!, nodeUndiciActive: procs.nodeUndiciActive.pid! },
    stop: async () => {
      for (const p of Object.values(procs)) await stopProcess(p);
    },
  };
}

/**
 * Node.js's own HTTP server answering what plowboard answers from memory, and nothing else:
 * every request gets the same prepared answer (`headers` and `body`, as plowboard sent one
 * data file), a 304 when the request holds its ETag. What viewers cost above this is
 * plowboard's; this much any Node.js server answering the same requests pays.
 */
const HTTP_ANSWERER = `
const http = require('node:http');
const headers = JSON.parse(process.env.FLOOR_HEADERS);
const body = Buffer.from(process.env.FLOOR_BODY, 'base64');
const { 'content-length': _, 'content-type': __, 'content-encoding': ___, 'accept-ranges': ____, ...notModified } = headers;
const server = http.createServer((req, res) => {
  if (req.headers['if-none-match'] === headers.etag) res.writeHead(304, notModified).end();
  else res.writeHead(200, headers).end(body);
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
`;

export async function startHttpFloor(headers: Record<string, string>, body: Buffer): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const proc = spawn(process.execPath, [...LONG_RUNNING_FLAGS, '-e', HTTP_ANSWERER], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', FLOOR_HEADERS: JSON.stringify(headers), FLOOR_BODY: body.toString('base64') },
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('message', (m) => resolve(Number(m)));
    proc.once('exit', (code) => reject(new Error(`the HTTP floor exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, pid: proc.pid!, stop: () => stopProcess(proc) };
}
