import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Health, Live, SourceHealth } from '../../sidecar/contract/index.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';
import { SidecarProcess, readJson } from '../helpers/sidecarProcess.js';
import { timingFor } from '../../sidecar/config/timing.js';

const INTERVAL = 0.5;
const fixture = (name: string) => readFileSync(path.join('test', 'fixtures', 'rclone-1.60', name), 'utf8');
let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-rclone-faults-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * A stand-in for rclone, only for what a real one cannot be made to do: hang, answer
 * late, answer too much or garbage. Its behaviour can be switched while the sidecar runs.
 */
class FakeRclone {
  behaviour: Behaviour = healthy;
  readonly server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => this.behaviour(req, res));
  });
  port = 0;
  async start(): Promise<string> {
    this.port = await freePort();
    await new Promise<void>((r) => this.server.listen(this.port, '127.0.0.1', r));
    return `http://127.0.0.1:${this.port}`;
  }
  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

function healthy(req: http.IncomingMessage, res: http.ServerResponse): void {
  const method = req.url!.slice(1);
  const body = method === 'core/stats' ? fixture('core-stats-transferring.json') : method === 'core/transferred' ? '{"transferred":[]}' : '{"version":"v1.60.1"}';
  res.writeHead(200, { 'content-type': 'application/json' }).end(body);
}

async function runAgainst(url: string) {
  const out = path.join(work, `out-${Math.random().toString(36).slice(2)}`);
  const sidecar = new SidecarProcess(['sidecar', '--rclone-url', url, '--output', out, '--state-dir', `${out}-state`, '--interval', String(INTERVAL)]).start();
  const source = () => {
    try {
      return readJson<Health>(path.join(out, 'data', 'health.json')).sources.find((s) => s.kind === 'rclone')!;
    } catch {
      return null;
    }
  };
  const until = (what: string, pred: (s: SourceHealth) => boolean, ms = 20_000) => waitFor(what, () => {
    const s = source();
    return s && pred(s) ? s : null;
  }, ms, 50);
  return { out, sidecar, until };
}

/** What to do, for each state these cases reach (sources/rcloneHints.ts). */
const HINTS: Record<string, RegExp> = {
  unreachable: /^No answer from http:\/\/127\.0\.0\.1:\d+\. Check the host and port/,
  error: /^rclone answered with an error\./,
  auth_failed: /Set PLOWBOARD_RCLONE_USER and PLOWBOARD_RCLONE_PASS/,
};

describe('rclone misbehaving', () => {
  const cases: Array<[name: string, behaviour: Behaviour, state: SourceHealth['state'], message: RegExp]> = [
    ['accepts the connection and never answers', () => {}, 'unreachable', /no answer in time/],
    ['answers after 5 s', (req, res) => setTimeout(() => healthy(req, res), 5000), 'unreachable', /no answer in time/],
    [
      'answers 100 MB',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(1024 * 1024, 'x');
        let sent = 0;
        const more = () => {
          while (sent < 100 && res.write(chunk)) sent++;
          if (sent >= 100) res.end();
          else res.once('drain', more);
        };
        res.on('error', () => {});
        more();
      },
      'error',
      /too large/,
    ],
    // The rows of docs/RELIABILITY.md: garbage is "not JSON" with what came, 401 names the
    // variables to set (the hint, below), 404 and 500 carry rclone's own message.
    ['answers garbage', (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"bytes": 12, "transfers": [tru'), 'error', /^HTTP 200 from [\w/]+, not JSON: \{"bytes": 12, "transfers": \[tru$/],
    ['answers 401', (_req, res) => res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized\n'), 'auth_failed', /^HTTP 401 Unauthorized$/],
    ['answers 404', (_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"couldn\'t find method","input":{},"path":"core/stats","status":404}'), 'error', /^HTTP 404 from [\w/]+: couldn't find method$/],
    ['answers 500', (_req, res) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom","input":{},"path":"core/stats","status":500}'), 'error', /^HTTP 500 from [\w/]+: boom$/],
  ];

  for (const [name, behaviour, state, message] of cases) {
    it(`${name}: shown as ${state}, the sidecar stays up, and it is ok again within two intervals of recovering`, async () => {
      const fake = new FakeRclone();
      const { sidecar, until } = await runAgainst(await fake.start());
      try {
        await until('ok first', (s) => s.state === 'ok');
        fake.behaviour = behaviour;
        const bad = await until(`state ${state}`, (s) => s.state === state);
        expect(bad.lastError?.message ?? '').toMatch(message);
        expect(bad.hint).toMatch(HINTS[state]!);
        expect(sidecar.running).toBe(true);
        fake.behaviour = healthy;
        const recovered = Date.now();
        await until('ok again', (s) => s.state === 'ok');
        // Two intervals, plus one timeout for a poll already waiting on the old behaviour, plus writing.
        expect(Date.now() - recovered).toBeLessThan(2 * INTERVAL * 1000 + timingFor({ intervalSeconds: INTERVAL }).timeoutMs + 1500);
      } finally {
        await sidecar.stop();
        await fake.stop();
      }
    });
  }

  it('an rclone that takes 600 ms to answer, as one busy with a stalled transfer does, reads ok at a 0.5 s interval', async () => {
    const fake = new FakeRclone();
    let answered = 0;
    fake.behaviour = (req, res) => setTimeout(() => (answered++, healthy(req, res)), 600);
    const { sidecar, until, out } = await runAgainst(await fake.start());
    try {
      await until('ok first', (s) => s.state === 'ok');
      const from = answered;
      const states = new Set<string>();
      // Sampled across ten slow answers: none of them may read as a failure.
      await waitFor('ten slow answers', () => {
        const s = readJson<Health>(path.join(out, 'data', 'health.json')).sources.find((x) => x.kind === 'rclone')!;
        states.add(s.state);
        return answered - from >= 10;
      }, 30_000, 50);
      expect([...states]).toEqual(['ok']);
    } finally {
      await sidecar.stop();
      await fake.stop();
    }
  });

  it('a name that does not resolve is unreachable, with the reason', async () => {
    const { sidecar, until } = await runAgainst('http://no-such-host.invalid:5572');
    try {
      const s = await until('unreachable', (x) => x.state === 'unreachable' || x.state === 'error');
      expect(s.state).toBe('unreachable');
      expect(s.lastError!.message).toMatch(/does not resolve|no answer/);
      expect(sidecar.running).toBe(true);
    } finally {
      await sidecar.stop();
    }
  });

  it('a real rclone killed mid-transfer and restarted, again and again: idle each time, back each time, finished transfers kept', async () => {
    const rclone = new RcloneDaemon(path.join(work, 'rclone'));
    await rclone.start();
    const out = path.join(work, 'out-kill');
    const sidecar = new SidecarProcess(['sidecar', '--rclone-url', rclone.url, '--output', out, '--state-dir', `${out}-state`, '--interval', String(INTERVAL)], {
      PLOWBOARD_RCLONE_USER: rclone.user,
      PLOWBOARD_RCLONE_PASS: rclone.pass,
    }).start();
    const live = () => readJson<Live>(path.join(out, 'data', 'live.json'));
    try {
      for (let round = 0; round < 3; round++) {
        const src = path.join(work, `src${round}`);
        makeFiles(src, [[`done${round}.bin`, 100_000], [`slow${round}.bin`, 20_000_000]]);
        await rclone.bwlimit('2M');
        await rclone.copy(src, path.join(work, 'dst'));
        // The small file seen finished and the big one in flight, then the kill: what the sidecar
        // saw finish must outlive rclone (on a loaded machine a kill can otherwise come first).
        const listed = () => readJson<{ transfers: Array<{ name: string }> }>(path.join(out, 'data', 'transfers.json')).transfers.some((t) => t.name === `done${round}.bin`);
        await waitFor(`round ${round}: in flight, done${round}.bin finished`, () => live().instances[0]!.inFlight > 0 && listed(), 20_000);
        await rclone.stop();
        await waitFor(`round ${round}: idle`, () => live().instances[0]!.state === 'idle', 10_000);
        expect(sidecar.running).toBe(true);
        await rclone.start(rclone.port);
        const back = Date.now();
        await waitFor(`round ${round}: ok again`, () => live().instances[0]!.state === 'ok', 10_000, 50);
        expect(Date.now() - back).toBeLessThan(2 * INTERVAL * 1000 + 1500);
      }
      // Every small file that finished before a kill is still listed.
      const names = readJson<{ transfers: Array<{ name: string }> }>(path.join(out, 'data', 'transfers.json')).transfers.map((t) => t.name);
      for (let round = 0; round < 3; round++) expect(names).toContain(`done${round}.bin`);
    } finally {
      await sidecar.stop();
      await rclone.stop();
    }
  });
});
