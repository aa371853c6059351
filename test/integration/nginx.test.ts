import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../sidecar/serve/headers.js';
import { writeFileAtomic } from '../../sidecar/write/atomic.js';
import { rawRequest } from '../helpers/http.js';
import { Nginx } from '../helpers/nginx.js';
import { freePort } from '../helpers/ports.js';
import { runCli } from '../helpers/sidecarProcess.js';

let work: string;
let out: string;
let nginx: Nginx;
const raw = (method: string, p: string, headers: Record<string, string> = {}) => rawRequest(nginx.port, method, p, headers);

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-nginx-'));
  out = path.join(work, 'out');
  const r = await runCli(['build', '--rclone-url', `http://127.0.0.1:${await freePort()}`, '--output', out]);
  expect(r.code, r.stderr).toBe(0);
  writeFileSync(path.join(work, 'secret.txt'), 'outside-the-root');
  symlinkSync(path.join(work, 'secret.txt'), path.join(out, 'data', 'link.json'));
  execFileSync('mkfifo', [path.join(out, 'data', 'pipe.json')]);
  nginx = new Nginx(path.join(work, 'nginx'), out);
  await nginx.start();
});
afterAll(() => {
  nginx?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('deploy/nginx.conf with a real nginx', () => {
  it('revalidates data files: no-cache with an ETag, then 304', async () => {
    const first = await raw('GET', '/data/index.json');
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-cache');
    expect(String(first.headers['content-type'])).toMatch(/^application\/json/);
    const again = await raw('GET', '/data/index.json', { 'if-none-match': String(first.headers.etag) });
    expect(again.status).toBe(304);
    await writeFileAtomic(path.join(out, 'data', 'index.json'), `${first.body.trim()}  \n`);
    const changed = await raw('GET', '/data/index.json', { 'if-none-match': String(first.headers.etag) });
    expect(changed.status).toBe(200);
  });

  it('sends the same security headers as the built-in server, and caches hashed assets long', async () => {
    const page = await raw('GET', '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('plowboard');
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.body)![1]!;
    const asset = await raw('GET', `/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('max-age=31536000');
    expect(asset.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  it('compresses text with gzip', async () => {
    const page = await raw('GET', '/', { 'accept-encoding': 'gzip' });
    expect(page.headers['content-encoding']).toBe('gzip');
    expect(page.body).toContain('<!doctype html>');
  });

  it('sends the build’s .gz of a script as it is (gzip_static), and compresses a data file when sent', async () => {
    const js = readdirSync(path.join(out, 'assets')).filter((f) => f.endsWith('.js'));
    const largest = js.sort((a, b) => statSync(path.join(out, 'assets', b)).size - statSync(path.join(out, 'assets', a)).size)[0]!;
    const r = await raw('GET', `/assets/${largest}`, { 'accept-encoding': 'gzip, br' });
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers.vary).toBe('Accept-Encoding');
    // The precompressed file's own length: nginx compressing on the fly would send it chunked, with no length.
    expect(Number(r.headers['content-length'])).toBe(statSync(path.join(out, 'assets', `${largest}.gz`)).size);
    expect(r.body).toBe(readFileSync(path.join(out, 'assets', largest), 'utf8'));
    const data = await raw('GET', '/data/index.json', { 'accept-encoding': 'gzip' });
    expect(data.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(data.body)).toHaveProperty('schemaVersion');
  });

  it('answers GET and HEAD only, lists no folders, and follows no symlink out', async () => {
    expect((await raw('HEAD', '/data/live.json')).status).toBe(200);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const r = await raw(method, '/data/live.json');
      expect(r.status, method).toBe(405);
      expect(r.headers.allow).toBe('GET, HEAD');
    }
    expect([403, 404]).toContain((await raw('GET', '/data/')).status);
    const link = await raw('GET', '/data/link.json');
    expect(link.body).not.toContain('outside-the-root');
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/data/..%2f..%2fsecret.txt']) {
      expect((await raw('GET', p)).body, p).not.toContain('outside-the-root');
    }
    // A FIFO in the folder is not a file to serve, and must not hold a worker waiting for its writer.
    expect((await raw('GET', '/data/pipe.json')).status).toBe(404);
  });
});
