import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../helpers/http.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { sampleData, writeSampleOutput } from '../helpers/sampleOutput.js';
import { cliPath } from '../helpers/sidecarProcess.js';

/**
 * A page polls with conditional requests for months: each 304 must leave no file open.
 * The built-in server runs here under a small descriptor limit, as a systemd unit or a
 * container may give it, so a leak would end the process within the test.
 */
const LIMIT = 256;
let dir: string;
let port: number;
let proc: ReturnType<typeof spawn>;
let stderr = '';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'plowboard-fds-'));
  await writeSampleOutput(dir, sampleData());
  port = await freePort();
  proc = spawn('sh', ['-c', `ulimit -n ${LIMIT} && exec "$0" "$@"`, process.execPath, cliPath, 'serve', '--output', dir, '--port', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
  });
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await waitFor('the server', () => rawRequest(port, 'GET', '/data/index.json').then((r) => r.status === 200, () => false), 20_000);
});

afterAll(() => {
  proc?.kill();
  rmSync(dir, { recursive: true, force: true });
});

const openFiles = () => readdirSync(`/proc/${proc.pid}/fd`).length;

describe('the built-in server under a descriptor limit of 256', () => {
  it('answers many more conditional polls than it has descriptors, holding none of them open', async () => {
    const etag = String((await rawRequest(port, 'GET', '/data/live.json')).headers.etag);
    const before = openFiles();
    for (let i = 0; i < 4 * LIMIT; i++) expect((await rawRequest(port, 'GET', '/data/live.json', { 'if-none-match': etag })).status).toBe(304);
    expect(openFiles()).toBeLessThanOrEqual(before + 2);
    expect((await rawRequest(port, 'GET', '/data/live.json')).status).toBe(200);
  });

  it('holds nothing open for a compressed answer either: 304s, HEADs and clients that go away mid-answer', async () => {
    const br = { 'accept-encoding': 'br' };
    const first = await rawRequest(port, 'GET', '/data/transfers.json', br);
    expect(first.headers['content-encoding']).toBe('br');
    const etag = String(first.headers.etag);
    const before = openFiles();
    for (let i = 0; i < 2 * LIMIT; i++) {
      expect((await rawRequest(port, 'GET', '/data/transfers.json', { ...br, 'if-none-match': etag })).status).toBe(304);
      expect((await rawRequest(port, 'HEAD', '/data/transfers.json', br)).status).toBe(200);
    }
    // A client that sends its request and closes at once, 2 × the limit of them.
    for (let i = 0; i < 2 * LIMIT; i++) {
      await new Promise<void>((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/data/transfers.json', headers: br, agent: false });
        req.on('error', () => resolve());
        req.on('response', (res) => {
          res.destroy();
          resolve();
        });
        req.end(() => setImmediate(() => req.destroy()));
      });
    }
    await waitFor('the descriptors of the aborted answers to close', () => openFiles() <= before + 2, 10_000);
    expect((await rawRequest(port, 'GET', '/data/transfers.json', br)).headers['content-encoding']).toBe('br');
  });

  it('survives more requests at once than it has descriptors: some are refused, none ends the process', async () => {
    const answers = await Promise.all(
      Array.from({ length: 3 * LIMIT }, () => rawRequest(port, 'GET', '/data/transfers.json').then((r) => r.status, () => 'reset')),
    );
    expect(answers.filter((a) => a === 200).length).toBeGreaterThan(0);
    // What docs/RELIABILITY.md promises, and only that: answered whole, or 503 when the file
    // could not be opened once the connection was taken, or the connection closed when there
    // was no descriptor to take it with. Which of the last two happens depends on timing.
    // Never a 500: running out of descriptors is not the server's error.
    expect(answers.filter((a) => a !== 200 && a !== 503 && a !== 'reset')).toEqual([]);
    expect(proc.exitCode, stderr).toBeNull();
    await waitFor('the server to answer again', () => rawRequest(port, 'GET', '/data/transfers.json').then((r) => r.status === 200, () => false), 10_000);
    expect(stderr).not.toMatch(/EMFILE|Unhandled/);
  });
});
