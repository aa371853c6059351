import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonProcess, stopProcess } from '../helpers/cloudplow.js';
import { rawRequest } from '../helpers/http.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { sampleData, writeSampleOutput } from '../helpers/sampleOutput.js';
import { cliPath } from '../helpers/sidecarProcess.js';

/** One GET, told apart from a short or broken one: what a browser would drop. */
function get(port: number, p: string): Promise<{ status: number; length: number | null; etag: string; body: Buffer } | { broken: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: p, headers: { 'accept-encoding': 'identity' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, length: res.headers['content-length'] ? Number(res.headers['content-length']) : null, etag: String(res.headers.etag), body: Buffer.concat(chunks) }));
      res.on('aborted', () => resolve({ broken: 'aborted' }));
      res.on('error', (err) => resolve({ broken: err.message }));
    });
    req.on('error', (err) => resolve({ broken: err.message }));
    // A body shorter than its Content-Length never ends: the client would wait for ever.
    req.setTimeout(2000, () => {
      req.destroy();
      resolve({ broken: 'no end within 2 s' });
    });
    req.end();
  });
}

let dir: string;
let port: number;
let server: ReturnType<typeof spawn>;
let writer: ReturnType<typeof pythonProcess> | null = null;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'plowboard-replaced-'));
  await writeSampleOutput(dir, sampleData());
  port = await freePort();
  server = spawn(process.execPath, [cliPath, 'serve', '--output', dir, '--port', String(port)], { stdio: 'ignore' });
  await waitFor('the server', () => rawRequest(port, 'GET', '/data/index.json').then((r) => r.status === 200, () => false), 20_000);
});

afterAll(async () => {
  if (writer) await stopProcess(writer);
  server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('the built-in server while the sidecar replaces its files', () => {
  it('sends each answer whole: its length, ETag and bytes all from one version of the file', async () => {
    // Replaced as the sidecar does (temp file, then rename), forty times a second,
    // alternating a small and a large version so that a mixed answer cannot go unnoticed.
    // Not faster: serve-handler keys its ETag cache by mtime, which ext4 keeps in clock
    // ticks (up to 10 ms), and the sidecar rewrites a file once per publish at most.
    writer = pythonProcess(
      `import os, time
target = os.path.join(sys.argv[1], 'data', 'live.json')
i = 0
while True:
    i += 1
    tmp = target + '.tmp'
    with open(tmp, 'w') as f:
        json.dump({'n': i, 'pad': 'x' * (50 if i % 2 else 60000)}, f)
    os.replace(tmp, target)
    time.sleep(0.025)`,
      [dir],
    );
    try {
      await waitFor('the first replacement', () => get(port, '/data/live.json').then((o) => 'body' in o && o.body.includes('"pad"')), 10_000);
      const outcomes: Array<Awaited<ReturnType<typeof get>>> = [];
      for (let round = 0; round < 150 && !outcomes.some((o) => 'broken' in o); round++) outcomes.push(...(await Promise.all(Array.from({ length: 4 }, () => get(port, '/data/live.json')))));
      const broken = outcomes.filter((o) => 'broken' in o);
      const whole = outcomes.filter((o): o is Exclude<typeof o, { broken: string }> => !('broken' in o) && o.status === 200);
      expect(broken, 'answers cut short').toEqual([]);
      expect(whole.length).toBe(600);
      for (const o of whole) {
        expect(o.body.length).toBe(o.length);
        const { pad } = JSON.parse(o.body.toString()) as { pad: string };
        expect([50, 60000]).toContain(pad.length);
        // serve-handler's ETag is the SHA-1 of the extension, a dash and the bytes: these bytes.
        expect(o.etag).toBe(`"${createHash('sha1').update('.json').update('-').update(o.body).digest('hex')}"`);
      }
    } finally {
      await stopProcess(writer);
      writer = null;
    }
  });
});
