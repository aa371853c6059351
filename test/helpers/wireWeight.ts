import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';

/** What Chromium sends: the codings a real first load may get. */
export const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br, zstd';

/** Every page of a built site, as `about/index.html`. */
export function sitePages(out: string): string[] {
  return readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('index.html')).sort();
}

/**
 * What a first visit to `page` downloads: the HTML, the stylesheets and scripts it names,
 * and every chunk those scripts import (the Vega runtime is one), as paths under `out`.
 */
export function firstLoad(out: string, page: string): string[] {
  const read = (f: string) => readFileSync(path.join(out, f), 'utf8');
  const files = new Set<string>([page]);
  const follow = (f: string) => {
    if (files.has(f)) return;
    files.add(f);
    if (f.endsWith('.js')) for (const [, c] of read(f).matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) follow(`assets/${c}`);
  };
  for (const [, a] of read(page).matchAll(/(?:href|src)="(?:\.\.?\/)*(assets\/[^"]+)"/g)) follow(a!);
  return [...files];
}

/** The URL a file is fetched by: a folder's index.html by the folder. */
const urlOf = (file: string) => `/${file.replace(/(^|\/)index\.html$/, '$1')}`;

/** Bytes of one response body exactly as received (no decoding), and its coding. */
export function bodyOnWire(port: number, urlPath: string, acceptEncoding: string): Promise<{ status: number; bytes: number; encoding: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: urlPath, headers: { 'accept-encoding': acceptEncoding }, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, encoding: String(res.headers['content-encoding'] ?? 'identity') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The bytes of a page's first load as one server sends them: every body summed, as received. */
export async function firstLoadOnWire(port: number, out: string, page: string, acceptEncoding = BROWSER_ACCEPT_ENCODING): Promise<{ bytes: number; files: Array<{ url: string; bytes: number; encoding: string }> }> {
  const files = [];
  for (const f of firstLoad(out, page)) {
    const url = urlOf(f);
    const r = await bodyOnWire(port, url, acceptEncoding);
    if (r.status !== 200) throw new Error(`${url}: HTTP ${r.status}`);
    files.push({ url, bytes: r.bytes, encoding: r.encoding });
  }
  return { bytes: files.reduce((n, f) => n + f.bytes, 0), files };
}
