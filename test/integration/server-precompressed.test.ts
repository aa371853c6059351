import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../sidecar/serve/server.js';
import { writeCompressedSiblings } from '../../sidecar/site/compressedSiblings.js';
import { writeFileAtomic } from '../../sidecar/write/atomic.js';

let work: string;
let root: string;
let server: RunningServer;

/** Text that compresses well and is recognisable after decoding. */
const text = (tag: string) => `/* ${tag} */\n${Array.from({ length: 400 }, (_, i) => `export const v${i} = ${JSON.stringify(`${tag}-${i}`)};`).join('\n')}\n`;
const ASSET = 'assets/app.0123456789.js';
const assetText = text('asset');
const pageText = `<!doctype html><title>plowboard</title>${'<p>row</p>'.repeat(300)}`;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-precompressed-'));
  root = path.join(work, 'output');
  const outside = path.join(work, 'outside');
  for (const d of ['assets', 'data', 'stale', 'linked', 'sub']) mkdirSync(path.join(root, d), { recursive: true });
  mkdirSync(outside);
  const put = async (rel: string, content: string, compress = true) => {
    writeFileSync(path.join(root, rel), content);
    if (compress) await writeCompressedSiblings(path.join(root, rel));
  };
  await put(ASSET, assetText);
  await put('index.html', pageText);
  await put('sub/index.html', pageText.replace('plowboard', 'sub'));
  await put('assets/site.0123456789.css', `body{color:red}\n${'.a{margin:0}\n'.repeat(200)}`);
  await put('data/live.json', `${JSON.stringify({ rows: Array.from({ length: 300 }, (_, i) => ({ i })) })}\n`, false);
  await put('data/small.json', '{"a":1}\n', false);
  await put('data/transfers.csv', `name,size\n${'file.mkv,1234\n'.repeat(200)}`, false);
  await put('metrics.prom', `# TYPE plowboard_x gauge\n${'plowboard_x{sa="1.json"} 1\n'.repeat(200)}`, false);
  // A page the next build replaced, but whose siblings it has not written yet.
  await put('stale/index.html', '<!doctype html><title>old</title>'.padEnd(2000, ' '));
  writeFileSync(path.join(root, 'stale', 'index.html'), '<!doctype html><title>new</title>'.padEnd(2000, ' '));
  const later = new Date(Date.now() + 5000);
  utimesSync(path.join(root, 'stale', 'index.html'), later, later);
  // A sibling that is a symlink to a file outside, and a folder that is a symlink out.
  writeFileSync(path.join(root, 'linked', 'index.html'), pageText);
  writeFileSync(path.join(outside, 'evil.br'), 'outside-the-root');
  symlinkSync(path.join(outside, 'evil.br'), path.join(root, 'linked', 'index.html.br'));
  writeFileSync(path.join(outside, 'x.js'), text('outside'));
  await writeCompressedSiblings(path.join(outside, 'x.js'));
  symlinkSync(outside, path.join(root, 'assets', 'out'));
  server = await startServer({ root, host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as received: compressed when Content-Encoding says so. */
  wire: Buffer;
  /** The body decoded. */
  text: string;
}

function get(p: string, headers: Record<string, string> = {}, method = 'GET'): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: p, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const wire = Buffer.concat(chunks);
        const enc = res.headers['content-encoding'];
        const decoded = !wire.length ? wire : enc === 'br' ? brotliDecompressSync(wire) : enc === 'gzip' ? gunzipSync(wire) : wire;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, wire, text: decoded.toString() });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the built-in server sends the build’s precompressed files', () => {
  it('sends brotli to a client that takes gzip and br, with the original’s type and the compressed length', async () => {
    const plain = await get(`/${ASSET}`);
    const br = await get(`/${ASSET}`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(plain.headers.vary).toBe('Accept-Encoding');
    expect(br.headers['content-type']).toBe(plain.headers['content-type']);
    expect(Number(br.headers['content-length'])).toBe(br.wire.length);
    expect(br.wire.length).toBeLessThan(assetText.length / 5);
    expect(br.text).toBe(assetText);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-security-policy']).toBe(plain.headers['content-security-policy']);
    expect(br.headers['x-content-type-options']).toBe('nosniff');
  });

  it('carries the server’s own frame-ancestors, as its plain answers do', async () => {
    const kiosk = await startServer({ root, host: '127.0.0.1', port: 0, frameAncestors: "'self' http://kiosk.lan" });
    try {
      const ask = (accept: string) => new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port: kiosk.port, path: `/${ASSET}`, headers: { 'accept-encoding': accept }, agent: false }, (res) => {
          res.resume();
          resolve(`${res.headers['content-encoding'] ?? 'identity'} ${res.headers['content-security-policy']}`);
        }).on('error', reject).end();
      });
      expect(await ask('br')).toMatch(/^br .*frame-ancestors 'self' http:\/\/kiosk\.lan$/);
      expect((await ask('br')).replace(/^br /, '')).toBe((await ask('identity')).replace(/^identity /, ''));
    } finally {
      await kiosk.close();
    }
  });

  it('chooses by the client’s weights, br before gzip on a tie, and never a coding refused with q=0', async () => {
    const enc = async (accept?: string) => (await get(`/${ASSET}`, accept === undefined ? {} : { 'accept-encoding': accept })).headers['content-encoding'] ?? 'identity';
    expect(await enc('gzip')).toBe('gzip');
    expect(await enc('x-gzip')).toBe('gzip');
    expect(await enc('br;q=0, gzip')).toBe('gzip');
    expect(await enc('gzip;q=1, br;q=0.5')).toBe('gzip');
    expect(await enc('*')).toBe('br');
    expect(await enc('*;q=0.5, br;q=0')).toBe('gzip');
    expect(await enc('br;q=0, gzip;q=0')).toBe('identity');
    expect(await enc('GZIP ; Q=0.000, Br ; q=1.0')).toBe('br');
    expect(await enc('identity')).toBe('identity');
    expect(await enc(undefined)).toBe('identity');
    // A weight that is not one is not read as acceptance.
    expect(await enc('br;q=2, gzip;q=abc')).toBe('identity');
  });

  it('serves pages compressed under the URL of the folder, with the page’s type and revalidation', async () => {
    for (const [url, title] of [['/', 'plowboard'], ['/sub/', 'sub']] as const) {
      const plain = await get(url);
      const gz = await get(url, { 'accept-encoding': 'gzip' });
      expect(gz.headers['content-encoding'], url).toBe('gzip');
      expect(gz.headers['content-type'], url).toBe(plain.headers['content-type']);
      expect(gz.headers['cache-control'], url).toBe('no-cache');
      expect(gz.text, url).toContain(`<title>${title}</title>`);
      expect(gz.text).toBe(plain.text);
    }
    const css = await get('/assets/site.0123456789.css', { 'accept-encoding': 'br' });
    expect(css.headers['content-type']).toBe((await get('/assets/site.0123456789.css')).headers['content-type']);
  });

  it('has one ETag per coding, answers 304 only for the coding it would send, and says so with the 304', async () => {
    const br = await get(`/${ASSET}`, { 'accept-encoding': 'br' });
    const gz = await get(`/${ASSET}`, { 'accept-encoding': 'gzip' });
    const plain = await get(`/${ASSET}`);
    const etags = [br, gz, plain].map((r) => String(r.headers.etag));
    expect(new Set(etags).size).toBe(3);
    const again = await get(`/${ASSET}`, { 'accept-encoding': 'br', 'if-none-match': etags[0]! });
    expect(again.status).toBe(304);
    expect(again.wire.length).toBe(0);
    expect(again.headers.etag).toBe(etags[0]);
    expect(again.headers.vary).toBe('Accept-Encoding');
    expect(again.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    // A cache holding the brotli copy asks for a client that takes only gzip: it gets gzip, in full.
    const other = await get(`/${ASSET}`, { 'accept-encoding': 'gzip', 'if-none-match': etags[0]! });
    expect(other.status).toBe(200);
    expect(other.headers['content-encoding']).toBe('gzip');
    expect(other.headers.etag).toBe(etags[1]);
    // Any of a list matches, and a weak validator compares equal (RFC 9110 §13.1.2).
    expect((await get(`/${ASSET}`, { 'accept-encoding': 'gzip', 'if-none-match': `"x", W/${etags[1]}` })).status).toBe(304);
  });

  it('answers HEAD with the headers of the GET and no body', async () => {
    const getR = await get(`/${ASSET}`, { 'accept-encoding': 'br' });
    const head = await get(`/${ASSET}`, { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.wire.length).toBe(0);
    expect(head.headers['content-encoding']).toBe('br');
    for (const h of ['content-encoding', 'content-length', 'content-type', 'etag', 'cache-control', 'vary']) expect(head.headers[h], h).toBe(getR.headers[h]);
  });

  it('sends the page itself when its compressed copy is older: a rebuild half done never serves old bytes', async () => {
    const r = await get('/stale/', { 'accept-encoding': 'br, gzip' });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.text).toContain('<title>new</title>');
  });

  it('follows no symlink: not a compressed copy that is a link, not a folder that leads out', async () => {
    const linked = await get('/linked/', { 'accept-encoding': 'br' });
    expect(linked.headers['content-encoding']).toBeUndefined();
    expect(linked.text).not.toContain('outside-the-root');
    expect(linked.text).toBe(pageText);
    // Whether the plain file behind a folder link is refused is the path guard's job (server.ts); here: not compressed.
    const out = await get('/assets/out/x.js', { 'accept-encoding': 'br, gzip' });
    expect(out.headers['content-encoding']).toBeUndefined();
    for (const p of ['/../outside/x.js', '/assets/..%2f..%2foutside/x.js', '/%2e%2e/outside/x.js']) {
      const r = await get(p, { 'accept-encoding': 'br, gzip' });
      expect(r.headers['content-encoding'], p).toBeUndefined();
      expect(r.text, p).not.toContain('outside');
    }
  });

  it('compresses a data file when asked, once per version: the original’s type, its own ETag, a new version at once', async () => {
    const file = path.join(root, 'data', 'live.json');
    for (const [rel, accept] of [['data/live.json', 'br'], ['data/live.json', 'gzip'], ['data/transfers.csv', 'gzip'], ['metrics.prom', 'br, gzip']] as const) {
      const plain = await get(`/${rel}`);
      const z = await get(`/${rel}`, { 'accept-encoding': accept });
      expect(z.headers['content-encoding'], rel).toBe(accept.split(',')[0]);
      expect(z.headers['content-type'], rel).toBe(plain.headers['content-type']);
      expect(z.headers['cache-control'], rel).toBe('no-cache');
      expect(z.headers.vary, rel).toBe('Accept-Encoding');
      expect(plain.headers.vary, rel).toBe('Accept-Encoding');
      expect(Number(z.headers['content-length']), rel).toBe(z.wire.length);
      expect(z.wire.length, rel).toBeLessThan(plain.wire.length / 3);
      expect(z.text, rel).toBe(plain.text);
      expect(z.headers.etag, rel).not.toBe(plain.headers.etag);
    }
    const first = await get('/data/live.json', { 'accept-encoding': 'br' });
    expect((await get('/data/live.json', { 'accept-encoding': 'br', 'if-none-match': String(first.headers.etag) })).status).toBe(304);
    // The sidecar replaces the file by rename: the next answer is the new version, compressed.
    await writeFileAtomic(file, `${JSON.stringify({ rows: Array.from({ length: 300 }, (_, i) => ({ i: i + 1 })) })}\n`);
    const next = await get('/data/live.json', { 'accept-encoding': 'br', 'if-none-match': String(first.headers.etag) });
    expect(next.status).toBe(200);
    expect(next.text).toBe(readFileSync(file, 'utf8'));
    // Under 1 KiB an answer fits one packet either way: sent as it is.
    const small = await get('/data/small.json', { 'accept-encoding': 'br, gzip' });
    expect(small.status).toBe(200);
    expect(small.headers['content-encoding']).toBeUndefined();
    // The compressed copy itself is not a name to ask for compressed, nor the clean-URL redirect's.
    expect((await get('/index.html', { 'accept-encoding': 'br' })).headers['content-encoding']).toBeUndefined();
  });
});
