import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCloudplowFolder } from '../helpers/cloudplow.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { RcloneDaemon } from '../helpers/rclone.js';
import { sidecarOnRclone, type RcloneSidecar } from '../helpers/sidecarOnRclone.js';
import { SidecarProcess } from '../helpers/sidecarProcess.js';

/**
 * `run` answers the data files its sidecar published from memory (serve/memoryAnswer.ts):
 * the bytes and ETag of the version last published, its compressed copies, 304s, with the
 * headers the disk path sends, and without opening or stat-ing a data file per request.
 */
let work: string;
let rclone: RcloneDaemon;
let sidecar: RcloneSidecar;
let base: string;
const stops: Array<() => Promise<unknown>> = [];

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

async function get(url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET'): Promise<Answer> {
  const res = await request(url, { method, headers });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])), body };
}

/** serve-handler's ETag for these bytes: sha1 of the extension, `-` and the content. */
const diskEtag = (ext: string, body: Buffer) => `"${createHash('sha1').update(ext).update('-').update(body).digest('hex')}"`;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-memserve-'));
  rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  // 20 SAs: accounts.json is large enough to be sent compressed, and stays as it is at rest.
  const cp = makeCloudplowFolder({ accounts: 20 });
  stops.push(async () => rmSync(cp.dir, { recursive: true, force: true }));
  sidecar = await sidecarOnRclone(rclone, work, { command: 'run', extra: ['--cloudplow-config', cp.config] });
  base = sidecar.base!.replace(/\/$/, '');
  await waitFor('the pages', async () => (await get(`${base}/`)).status === 200);
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await sidecar?.proc.stop();
  await rclone?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('run answers the data files its sidecar published from memory', () => {
  it('has the bytes and ETag of the version last published, and new ones after the next publish', async () => {
    const first = await get(`${base}/data/heartbeat.json`);
    expect(first.status).toBe(200);
    expect(first.headers.etag).toBe(diskEtag('.json', first.body));
    const manifest = JSON.parse(first.body.toString()) as { heartbeatAt: string };
    // Each beat rewrites heartbeat.json: the poll that sees it gets the new bytes under a new ETag.
    const next = await waitFor('a new version of heartbeat.json', async () => {
      const r = await get(`${base}/data/heartbeat.json`, { 'if-none-match': first.headers.etag! });
      return r.status === 200 ? r : null;
    });
    expect(next.headers.etag).not.toBe(first.headers.etag);
    expect(next.headers.etag).toBe(diskEtag('.json', next.body));
    expect((JSON.parse(next.body.toString()) as { heartbeatAt: string }).heartbeatAt > manifest.heartbeatAt).toBe(true);
    // And the old ETag is not revalidated any more.
    expect((await get(`${base}/data/heartbeat.json`, { 'if-none-match': first.headers.etag! })).status).toBe(200);
  });

  it('answers If-None-Match with a 304 carrying the ETag, and HEAD with the headers of a GET and no body', async () => {
    const full = await get(`${base}/data/config.json`);
    expect(full.status).toBe(200);
    const etag = full.headers.etag!;
    const again = await get(`${base}/data/config.json`, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers).toMatchObject({ etag, 'cache-control': 'no-cache', vary: 'Accept-Encoding', 'x-content-type-options': 'nosniff' });
    // A list, and a weak form of the same tag, match too (RFC 9110 §13.1.2).
    expect((await get(`${base}/data/config.json`, { 'if-none-match': `"nope", W/${etag}` })).status).toBe(304);
    const head = await get(`${base}/data/config.json`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    for (const h of ['etag', 'content-type', 'content-length', 'cache-control', 'vary', 'content-security-policy']) expect(head.headers[h], h).toBe(full.headers[h]);
    expect(Number(head.headers['content-length'])).toBe(full.body.length);
  });

  it('sends gzip and br copies that decode to the published bytes, each under its own ETag', async () => {
    const plain = await get(`${base}/data/accounts.json`);
    // Big enough to be compressed (liveCompression.ts MIN_SIZE).
    expect(plain.body.length).toBeGreaterThan(1024);
    for (const [coding, decode] of [
      ['br', brotliDecompressSync],
      ['gzip', gunzipSync],
    ] as const) {
      const r = await get(`${base}/data/accounts.json`, { 'accept-encoding': coding });
      expect(r.status).toBe(200);
      expect(r.headers['content-encoding']).toBe(coding);
      expect(Number(r.headers['content-length'])).toBe(r.body.length);
      expect(r.body.length).toBeLessThan(plain.body.length);
      expect(decode(r.body).equals(plain.body)).toBe(true);
      expect(r.headers.etag).toBe(plain.headers.etag!.replace(/"$/, `-${coding}"`));
      expect(r.headers.etag).toBe(diskEtag('.json', decode(r.body)).replace(/"$/, `-${coding}"`));
      expect((await get(`${base}/data/accounts.json`, { 'accept-encoding': coding, 'if-none-match': r.headers.etag! })).status).toBe(304);
      // The identity's tag never revalidates a compressed copy.
      expect((await get(`${base}/data/accounts.json`, { 'accept-encoding': coding, 'if-none-match': plain.headers.etag! })).status).toBe(200);
      const head = await get(`${base}/data/accounts.json`, { 'accept-encoding': coding }, 'HEAD');
      expect(head.headers['content-length']).toBe(r.headers['content-length']);
      expect(head.body.length).toBe(0);
    }
  });

  it('sends the headers the disk path sends for the same file', async () => {
    const port = await freePort();
    const disk = new SidecarProcess(['serve', '--output', sidecar.out, '--port', String(port)]).start();
    stops.push(() => disk.stop());
    const diskBase = `http://127.0.0.1:${port}`;
    await waitFor('plowboard serve', () => get(`${diskBase}/data/accounts.json`).then((r) => r.status === 200, () => false));
    const fromMemory = await get(`${base}/data/accounts.json`);
    const fromDisk = await get(`${diskBase}/data/accounts.json`);
    expect(fromMemory.body.equals(fromDisk.body)).toBe(true);
    const ignored = new Set(['date', 'connection', 'keep-alive']);
    for (const [name, value] of Object.entries(fromDisk.headers)) if (!ignored.has(name)) expect(fromMemory.headers[name], name).toBe(value);
    // A 304 too: the disk path's (ETag, Cache-Control, Vary) are all there.
    const notModified = await get(`${base}/data/accounts.json`, { 'if-none-match': fromDisk.headers.etag! });
    const diskNotModified = await get(`${diskBase}/data/accounts.json`, { 'if-none-match': fromDisk.headers.etag! });
    expect(notModified.status).toBe(diskNotModified.status);
    for (const [name, value] of Object.entries(diskNotModified.headers)) if (!ignored.has(name)) expect(notModified.headers[name], name).toBe(value);
    // Compressed: the same headers but the ETag (made from other bytes on disk, from the identity's here).
    const br = await get(`${base}/data/accounts.json`, { 'accept-encoding': 'br' });
    const diskBr = await get(`${diskBase}/data/accounts.json`, { 'accept-encoding': 'br' });
    expect(brotliDecompressSync(br.body).equals(brotliDecompressSync(diskBr.body))).toBe(true);
    for (const [name, value] of Object.entries(diskBr.headers)) if (!ignored.has(name) && name !== 'etag' && name !== 'content-length') expect(br.headers[name], name).toBe(value);
  });

  it('opens and stats no data file while it answers them (strace), while a page is read from disk', async () => {
    const trace = path.join(work, 'strace.txt');
    const strace: ChildProcess = spawn('strace', ['-f', '-qq', '-e', 'trace=open,openat,openat2,stat,lstat,newfstatat,statx,readlink,readlinkat', '-o', trace, '-p', String(sidecar.proc.proc!.pid)], { stdio: 'ignore' });
    const stopped = new Promise((resolve) => strace.once('exit', resolve));
    stops.push(async () => {
      if (strace.exitCode === null) strace.kill('SIGINT');
      await stopped;
    });
    const traced = () => (existsSync(trace) ? readFileSync(trace, 'utf8') : '');
    // Attached once a page's read shows in the trace.
    writeFileSync(path.join(sidecar.out, 'marker-1.txt'), 'one\n');
    await waitFor('strace to see the server read a page', async () => (await get(`${base}/marker-1.txt`)).status === 200 && traced().includes('marker-1.txt'), 30_000, 250);
    const from = traced().length;

    const files = ['index', 'config', 'health', 'live', 'transfers', 'accounts'];
    let answered = 0;
    for (let i = 0; i < 20; i++) {
      for (const f of files) {
        const url = `${base}/data/${f}.json`;
        const r = await get(url, { 'accept-encoding': i % 2 ? 'gzip, deflate, br' : 'gzip' });
        const r304 = await get(url, { 'accept-encoding': 'gzip, deflate, br', 'if-none-match': r.headers.etag! });
        const head = await get(url, {}, 'HEAD');
        expect([r.status, head.status]).toEqual([200, 200]);
        expect([200, 304]).toContain(r304.status);
        answered += 3;
      }
    }
    // A page after them, from disk: once the trace shows it, everything before it is in the trace too.
    writeFileSync(path.join(sidecar.out, 'marker-2.txt'), 'two\n');
    expect((await get(`${base}/marker-2.txt`)).body.toString()).toBe('two\n');
    await waitFor('strace to see the second page', () => traced().slice(from).includes('marker-2.txt'), 30_000, 250);
    strace.kill('SIGINT');
    await stopped;

    const window = traced().slice(from);
    const dataDir = path.join(sidecar.out, 'data');
    // The sidecar's own writes go through temp files (.name.pid.seq.tmp): those are not the server's.
    const touched = window.split('\n').filter((l) => l.includes(`${dataDir}/`) && !/\.tmp"/.test(l));
    expect(answered).toBe(360);
    expect(touched).toEqual([]);
    expect(window).toMatch(new RegExp(`open(at)?\\(.*${sidecar.out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/marker-2\\.txt`));
  });

  it('keeps answering what it published when the file on disk is replaced or its folder moved away behind its back', async () => {
    const published = await get(`${base}/data/config.json`);
    const dataDir = path.join(sidecar.out, 'data');
    // Replaced as any writer would (a new file renamed over it): memory is what the sidecar published.
    writeFileSync(path.join(dataDir, 'config.tmp-by-test'), '{"not":"what plowboard wrote"}\n');
    renameSync(path.join(dataDir, 'config.tmp-by-test'), path.join(dataDir, 'config.json'));
    const after = await get(`${base}/data/config.json`);
    expect(after.body.equals(published.body)).toBe(true);
    expect(after.headers.etag).toBe(published.headers.etag);
    // The whole folder gone: still answered, while a page that is gone answers 404 from disk.
    renameSync(dataDir, path.join(sidecar.out, 'data-moved'));
    rmSync(path.join(sidecar.out, 'marker-1.txt'));
    const gone = await get(`${base}/data/config.json`);
    expect(gone.status).toBe(200);
    expect(gone.body.equals(published.body)).toBe(true);
    expect((await get(`${base}/marker-1.txt`)).status).toBe(404);
  });
});
