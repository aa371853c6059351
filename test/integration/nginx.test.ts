import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashSync } from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../sidecar/serve/headers.js';
import { writeFileAtomic } from '../../sidecar/write/atomic.js';
import { rawRequest } from '../helpers/http.js';
import { Nginx } from '../helpers/nginx.js';
import { freePort } from '../helpers/ports.js';
import { rawHttp } from '../helpers/rawSocket.js';
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
  // Dotfiles, and a symlinked folder leading out of the output folder.
  writeFileSync(path.join(out, '.env'), 'outside-the-root');
  mkdirSync(path.join(out, '.git'));
  writeFileSync(path.join(out, '.git', 'config'), 'outside-the-root');
  writeFileSync(path.join(out, 'data', '.x'), 'outside-the-root');
  mkdirSync(path.join(work, 'outside'));
  writeFileSync(path.join(work, 'outside', 'x.txt'), 'outside-the-root');
  writeFileSync(path.join(work, 'outside', 'index.html'), 'outside-the-root');
  symlinkSync(path.join(work, 'outside'), path.join(out, 'linkdir'));
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

  it('answers 404 for dotfiles and dot-folders, and refuses a symlinked folder that leads out', async () => {
    for (const p of ['/.env', '/.git/config', '/data/.x', '/%2eenv', '/.git/']) {
      const r = await raw('GET', p);
      expect(r.status, p).toBe(404);
      expect(r.body, p).not.toContain('outside-the-root');
    }
    for (const p of ['/linkdir/x.txt', '/linkdir/', '/linkdir/index.html']) {
      const r = await raw('GET', p);
      // disable_symlinks answers 403 for a link on the way; either way nothing is read.
      expect([403, 404], p).toContain(r.status);
      expect(r.body, p).not.toContain('outside-the-root');
    }
  });

  it('answers only for its own names: any other Host gets 421 from the default server', async () => {
    for (const host of ['evil.example.com', `evil.example.com:${nginx.port}`, 'localhost.evil.example.com', '127.0.0.1.nip.io']) {
      const r = await raw('GET', '/data/health.json', { host });
      expect(r.status, host).toBe(421);
      expect(r.body, host).not.toContain('schemaVersion');
      expect(r.body, host).toContain('server_name');
    }
    for (const host of [`127.0.0.1:${nginx.port}`, 'localhost', 'LOCALHOST', '192.0.2.7', '[::1]', `[::1]:${nginx.port}`]) {
      const r = await raw('GET', '/data/health.json', { host });
      expect(r.status, host).toBe(200);
      expect(r.body, host).toContain('schemaVersion');
    }
    // HTTP/1.0 with no Host, as the built-in server answers it.
    const bare = await rawHttp(nginx.port, 'GET /data/health.json HTTP/1.0\r\n\r\n');
    expect(bare.status).toBe(200);
    expect(bare.body).toContain('schemaVersion');
  });

  it('asks for a login with its auth_basic lines turned on, from the same bcrypt htpasswd file as --auth-file', async () => {
    const file = path.join(work, 'htpasswd');
    writeFileSync(file, `alice:${hashSync('correct horse', 5).replace(/^\$2b\$/, '$2y$')}\n`);
    const locked = new Nginx(path.join(work, 'nginx-auth'), out, (conf) =>
      conf.replace(/^(\s*)# (auth_basic\s)/m, '$1$2').replace(/^(\s*)# auth_basic_user_file\s+\S+;/m, `$1auth_basic_user_file ${file};`),
    );
    await locked.start();
    try {
      const ask = (p: string, headers: Record<string, string> = {}) => rawRequest(locked.port, 'GET', p, headers);
      const login = (pass: string) => ({ authorization: `Basic ${Buffer.from(`alice:${pass}`).toString('base64')}` });
      for (const p of ['/', '/data/health.json', '/metrics.prom']) {
        const none = await ask(p);
        expect(none.status, p).toBe(401);
        expect(none.headers['www-authenticate'], p).toBe('Basic realm="plowboard"');
        expect((await ask(p, login('wrong'))).status, p).toBe(401);
        expect((await ask(p, login('correct horse'))).status, p).toBe(200);
      }
    } finally {
      locked.stop();
    }
  });
});
