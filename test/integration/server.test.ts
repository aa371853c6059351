import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../sidecar/serve/headers.js';
import { startServer, type RunningServer } from '../../sidecar/serve/server.js';
import { writeFileAtomic } from '../../sidecar/write/atomic.js';
import { rawRequest } from '../helpers/http.js';

let root: string;
let server: RunningServer;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'plowboard-serve-'));
  root = path.join(dir, 'output');
  mkdirSync(path.join(root, 'data'), { recursive: true });
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  mkdirSync(path.join(root, 'empty'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(path.join(root, 'data', 'live.json'), '{"a":1}\n');
  writeFileSync(path.join(root, 'assets', 'overview.0123456789.js'), 'export {};');
  writeFileSync(path.join(dir, 'secret.txt'), 'outside-the-root');
  symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'data', 'link.json'));
  execFileSync('mkfifo', [path.join(root, 'data', 'pipe.json')]);
  server = await startServer({ root, host: '127.0.0.1', port: 0 });
});
afterAll(async () => server?.close());

const raw = (method: string, rawPath: string, headers: Record<string, string> = {}) => rawRequest(server.port, method, rawPath, headers);

describe('the built-in server', () => {
  it('answers a data file with no-cache and an ETag, then 304 for the same ETag', async () => {
    const first = await raw('GET', '/data/live.json');
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-cache');
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^".+"$/);
    const again = await raw('GET', '/data/live.json', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    // What a 200 would carry for caching comes with the 304 too (RFC 9110 §15.4.5).
    expect(again.headers.etag).toBe(etag);
    expect(again.headers['cache-control']).toBe('no-cache');
  });

  it('gives a new ETag when the file is replaced by rename with the same size', async () => {
    const before = String((await raw('GET', '/data/live.json')).headers.etag);
    await new Promise((r) => setTimeout(r, 5));
    await writeFileAtomic(path.join(root, 'data', 'live.json'), '{"a":2}\n');
    const after = await raw('GET', '/data/live.json', { 'if-none-match': before });
    expect(after.status).toBe(200);
    expect(after.body).toBe('{"a":2}\n');
  });

  it('sends the security headers everywhere and caches hashed assets for ever', async () => {
    const page = await raw('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const asset = await raw('GET', '/assets/overview.0123456789.js');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const head = await raw('HEAD', '/data/live.json');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('refuses every method but GET and HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const r = await raw(method, '/data/live.json');
      expect(r.status, method).toBe(405);
      expect(r.headers.allow).toBe('GET, HEAD');
    }
  });

  it('refuses path traversal and symlinks out of the folder, and lists no folders', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/data/..%2f..%2fsecret.txt', '/data/link.json']) {
      const r = await raw('GET', p);
      expect(r.body, p).not.toContain('outside-the-root');
      expect([400, 403, 404], p).toContain(r.status);
    }
    const dir = await raw('GET', '/empty/');
    expect(dir.status).toBe(404);
  });

  it('answers 404 for a FIFO in the folder instead of waiting for ever for its writer', async () => {
    expect((await raw('GET', '/data/pipe.json')).status).toBe(404);
    expect((await raw('GET', '/data/live.json')).status).toBe(200);
  });

  it('fails with one clear line when the port is taken', async () => {
    await expect(startServer({ root, host: '127.0.0.1', port: server.port })).rejects.toThrow(
      new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${server.port}: the port is already in use \\(another plowboard\\? choose another with --port\\)$`),
    );
  });
});
