import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSite } from '../sidecar/site/build.js';
import { TestBrowser } from '../test/helpers/browser.js';
import { Nginx } from '../test/helpers/nginx.js';
import { freePort, waitFor } from '../test/helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../test/helpers/rclone.js';
import { sampleData, writeSampleOutput } from '../test/helpers/sampleOutput.js';
import { SidecarProcess } from '../test/helpers/sidecarProcess.js';
import { firstLoadOnWire, sitePages } from '../test/helpers/wireWeight.js';
import { summary } from './procStats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A built output folder with sample data, at `scale` × (12 SAs, 40 transfers). */
export async function sampleSite(scale: number): Promise<{ dir: string; buildColdMs: number; buildWarmMs: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'plowboard-bench-site-'));
  await writeSampleOutput(dir, sampleData({ accounts: 12 * scale, transfers: 40 * scale, historyHours: 3 }));
  const site = { version: 'bench', intervalSeconds: 2, instances: ['default'] };
  const cold = await buildSite({ outputDir: dir, site });
  const warm = await buildSite({ outputDir: dir, site });
  return { dir, buildColdMs: cold.durationMs, buildWarmMs: warm.durationMs };
}

/**
 * Each page's first load (its HTML, stylesheet, script and every chunk the script imports)
 * as each server sends it to a browser that accepts gzip and br: response bodies summed,
 * as received, from the built-in server (`plowboard serve`) and from nginx with deploy/nginx.conf.
 */
export async function pageWeights(dir: string): Promise<Record<string, { builtIn: number; nginx: number }>> {
  const port = await freePort();
  const server = new SidecarProcess(['serve', '--output', dir, '--port', String(port)]).start();
  const nginxDir = mkdtempSync(path.join(tmpdir(), 'plowboard-bench-weight-nginx-'));
  const nginx = new Nginx(nginxDir, dir);
  await nginx.start();
  try {
    await waitFor('the server', () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false));
    const out: Record<string, { builtIn: number; nginx: number }> = {};
    for (const page of sitePages(dir)) {
      out[`/${page.replace(/index\.html$/, '')}`] = { builtIn: (await firstLoadOnWire(port, dir, page)).bytes, nginx: (await firstLoadOnWire(nginx.port, dir, page)).bytes };
    }
    return out;
  } finally {
    nginx.stop();
    await server.stop();
    rmSync(nginxDir, { recursive: true, force: true });
  }
}

/** Milliseconds from navigation to the first drawn chart, on localhost, for each page that has one. */
export async function firstChart(dir: string, repeats: number): Promise<Record<string, ReturnType<typeof summary>>> {
  const port = await freePort();
  const server = new SidecarProcess(['serve', '--output', dir, '--port', String(port)]).start();
  const browser = await new TestBrowser().launch();
  try {
    await waitFor('the server', () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false));
    const out: Record<string, ReturnType<typeof summary>> = {};
    for (const page of ['', 'accounts/', 'queue/', 'history/', 'kiosk/']) {
      const times: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const t0 = performance.now();
        const { page: p } = await browser.open(`http://127.0.0.1:${port}/${page}`);
        await p.locator('svg.marks').first().waitFor({ state: 'attached', timeout: 10_000 });
        times.push(performance.now() - t0);
        await p.close();
      }
      out[`/${page}`] = summary(times);
    }
    return out;
  } finally {
    await browser.close();
    await server.stop();
  }
}

function get(port: number, p: string, headers: Record<string, string> = {}): Promise<{ status: number; bytes: number; etag: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: p, headers, agent: false }, (res) => {
      let bytes = 0;
      // Status line and headers as sent, plus the body.
      const head = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n${res.rawHeaders.reduce((s, v, i) => s + (i % 2 ? `${v}\r\n` : `${v}: `), '')}\r\n`;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: bytes + Buffer.byteLength(head), etag: String(res.headers.etag ?? ''), ms: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A poll when nothing changed (304 and its size), and 50 pollers at once: built-in server beside nginx. */
export async function serving(dir: string, seconds: number) {
  const port = await freePort();
  const server = new SidecarProcess(['serve', '--output', dir, '--port', String(port)]).start();
  const nginxDir = mkdtempSync(path.join(tmpdir(), 'plowboard-bench-nginx-'));
  const nginx = new Nginx(nginxDir, dir);
  await nginx.start();
  try {
    await waitFor('the server', () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false));
    const result: Record<string, { notModified: { status: number; bytes: number }; requestsPerSecond: number; p99Ms: number; p50Ms: number; errors: number }> = {};
    for (const [name, p] of [['built-in server', port], ['nginx', nginx.port]] as const) {
      const first = await get(p, '/data/live.json');
      const again = await get(p, '/data/live.json', { 'if-none-match': first.etag });
      const latencies: number[] = [];
      let errors = 0;
      const end = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          const etags = new Map<string, string>();
          while (performance.now() < end) {
            for (const f of ['/data/index.json', '/data/live.json']) {
              // A refused or reset connection is counted, not fatal: it is part of the figure.
              const r = await get(p, f, etags.has(f) ? { 'if-none-match': etags.get(f)! } : {}).catch(() => null);
              if (!r) {
                errors++;
                continue;
              }
              if (r.etag) etags.set(f, r.etag);
              latencies.push(r.ms);
            }
          }
        }),
      );
      const s = summary(latencies);
      result[name] = { notModified: { status: again.status, bytes: again.bytes }, requestsPerSecond: Math.round(latencies.length / seconds), p50Ms: s.median, p99Ms: [...latencies].sort((a, b) => a - b)[Math.floor(latencies.length * 0.99)]!, errors };
    }
    return result;
  } finally {
    nginx.stop();
    await server.stop();
    rmSync(nginxDir, { recursive: true, force: true });
  }
}

/** rclone RC requests per minute with N pages open: the sidecar is the only client, however many watch. */
export async function rcRequestsWithPages(pageCounts: number[], seconds: number): Promise<Record<number, number>> {
  const work = mkdtempSync(path.join(tmpdir(), 'plowboard-bench-rc-'));
  const rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  let count = 0;
  const proxyPort = await freePort();
  const proxy = http.createServer((req, res) => {
    count++;
    const up = request({ host: '127.0.0.1', port: rclone.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(proxyPort, '127.0.0.1', r));
  const port = await freePort();
  const sidecar = new SidecarProcess(['run', '--rclone-url', `http://127.0.0.1:${proxyPort}`, '--output', path.join(work, 'out'), '--state-dir', path.join(work, 'state'), '--port', String(port), '--interval', '2'], {
    PLOWBOARD_RCLONE_USER: rclone.user,
    PLOWBOARD_RCLONE_PASS: rclone.pass,
  }).start();
  const browser = await new TestBrowser().launch();
  try {
    await waitFor('the server', () => fetch(`http://127.0.0.1:${port}/data/index.json`).then((r) => r.ok, () => false), 30_000);
    makeFiles(path.join(work, 'src'), [['big.bin', 500_000_000]]);
    await rclone.bwlimit('1M');
    await rclone.copy(path.join(work, 'src'), path.join(work, 'dst'));
    const out: Record<number, number> = {};
    for (const n of pageCounts) {
      const pages = await Promise.all(Array.from({ length: n }, () => browser.open(`http://127.0.0.1:${port}/`)));
      await sleep(3000);
      count = 0;
      await sleep(seconds * 1000);
      out[n] = Math.round((count / seconds) * 60);
      for (const p of pages) await p.page.close();
    }
    return out;
  } finally {
    await browser.close();
    await sidecar.stop();
    await rclone.stop();
    proxy.close();
    rmSync(work, { recursive: true, force: true });
  }
}
