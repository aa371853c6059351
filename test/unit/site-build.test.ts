import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleClient } from '../../sidecar/site/bundleClient.js';
import { buildSite } from '../../sidecar/site/build.js';
import type { SiteData } from '../../sidecar/site/siteData.js';
import { repoRoot } from '../helpers/sidecarProcess.js';

/** The namespace names Vega writes into SVG: identifiers, never fetched. */
const XML_NAMESPACES = new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/2000/xmlns/', 'http://www.w3.org/1999/xlink', 'http://www.w3.org/1999/xhtml', 'http://www.w3.org/XML/1998/namespace']);

const site: SiteData = { version: '9.8.7', intervalSeconds: 3, instances: ['default', '<b>nas</b>'] };
let out: string;
let html: string;
const timings: number[] = [];

const read = (rel: string) => readFileSync(path.join(out, rel), 'utf8');
const assets = () => readdirSync(path.join(out, 'assets'));

beforeAll(async () => {
  out = mkdtempSync(path.join(tmpdir(), 'plowboard-site-'));
  // Data and leftovers of an older build, to see what a build keeps and what it removes.
  mkdirSync(path.join(out, 'data'), { recursive: true });
  writeFileSync(path.join(out, 'data', 'live.json'), '{"kept":true}\n');
  mkdirSync(path.join(out, 'assets'), { recursive: true });
  writeFileSync(path.join(out, 'assets', 'overview.0123456789.js'), 'old');
  writeFileSync(path.join(out, 'assets', 'chunk.AAAAAAAA.js'), 'old');
  writeFileSync(path.join(out, 'assets', 'chunk.AAAAAAAA.js.br'), 'old');
  writeFileSync(path.join(out, 'assets', 'chunk.AAAAAAAA.js.gz'), 'old');
  timings.push((await buildSite({ outputDir: out, site })).durationMs);
  timings.push((await buildSite({ outputDir: out, site })).durationMs);
  html = read('index.html');
}, 120_000);

afterAll(() => {
  console.log(`site build: cold ${timings[0]?.toFixed(0)} ms, warm ${timings[1]?.toFixed(0)} ms`);
  rmSync(out, { recursive: true, force: true });
});

function compiledSpec(): Record<string, unknown> {
  const block = /<script type="application\/json" id="spec-throughput">([^]*?)<\/script>/.exec(html);
  expect(block, 'the chart spec block').not.toBeNull();
  return JSON.parse(block![1]!) as Record<string, unknown>;
}

describe('the site build', () => {
  it('writes the overview page, a hashed client bundle and hashed styles, linked relative to the page', () => {
    const script = assets().find((f) => /^overview\.[A-Z2-7]{8}\.js$/.test(f));
    const style = assets().find((f) => /^site\.[0-9a-f]{10}\.css$/.test(f));
    expect(script).toBeDefined();
    expect(style).toBeDefined();
    expect(html).toContain(`<script type="module" src="./assets/${script}"></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="./assets/${style}">`);
    expect(read('404.html')).toContain('Not found');
    expect(html).toContain('data-interval="3"');
    expect(html).toContain('plowboard 9.8.7');
  });

  it('leaves the data files alone and removes assets of older builds', () => {
    expect(read('data/live.json')).toBe('{"kept":true}\n');
    expect(assets()).not.toContain('overview.0123456789.js');
    expect(assets()).not.toContain('chunk.AAAAAAAA.js');
    expect(assets().filter((f) => f.startsWith('overview.') && f.endsWith('.js'))).toHaveLength(1);
  });

  it('writes a .br and a .gz of every page, script and stylesheet, after it, and removes those of older builds', () => {
    const text = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(html|js|css)$/.test(f) && !f.startsWith('data/'));
    expect(text.length).toBeGreaterThan(15);
    for (const f of text) {
      const original = readFileSync(path.join(out, f));
      expect(brotliDecompressSync(readFileSync(path.join(out, `${f}.br`))).equals(original), `${f}.br`).toBe(true);
      expect(gunzipSync(readFileSync(path.join(out, `${f}.gz`))).equals(original), `${f}.gz`).toBe(true);
      // The built-in server sends a sibling only while it is no older than the file.
      for (const z of ['.br', '.gz']) expect(statSync(path.join(out, f + z)).mtimeMs, f + z).toBeGreaterThanOrEqual(statSync(path.join(out, f)).mtimeMs);
    }
    expect(assets().filter((f) => f.startsWith('chunk.AAAAAAAA'))).toEqual([]);
    // Data files are the sidecar's, rewritten every few seconds: the build leaves them alone.
    expect(readdirSync(path.join(out, 'data'))).toEqual(['live.json']);
  });

  it('escapes instance names in the placeholders', () => {
    expect(html).toContain('rclone “&lt;b&gt;nas&lt;/b&gt;”: waiting for the first data');
    expect(html).not.toContain('<b>nas</b>');
  });

  it('embeds the chart as a compiled Vega spec, which renders without eval', async () => {
    const spec = compiledSpec();
    // Vega, not Vega-Lite: the browser only gets the Vega runtime.
    expect(spec).toHaveProperty('marks');
    expect(spec).toHaveProperty('scales');
    expect(spec).not.toHaveProperty('encoding');
    expect(spec).not.toHaveProperty('$schema');
    expect((spec.signals as Array<{ name: string }>).map((s) => s.name)).toEqual(expect.arrayContaining(['xmin', 'xmax', 'hour12']));
    expect(JSON.stringify(spec)).toContain('"interpolate":{"value":"step-after"}');

    const vega = await import('vega');
    const { expressionInterpreter } = await import('vega-interpreter');
    const now = Date.now();
    const view = new vega.View(vega.parse(spec as never, undefined, { ast: true }), { expr: expressionInterpreter, renderer: 'none' });
    view.signal('xmin', now - 600_000).signal('xmax', now).signal('width', 600);
    view.change('table', vega.changeset().insert([
      { t: now - 300_000, instance: 'default', mibps: 12.5 },
      { t: now, instance: 'default', mibps: 12.5 },
    ]));
    await view.runAsync();
    const svg = await view.toSVG();
    expect(svg).toMatch(/class="mark-line[^"]*"[^]*<path[^>]* d="M/);
    expect(svg).toContain('MiB/s');
    view.finalize();
  });

  it('has no inline script, inline style or inline event handler, so a strict CSP holds', () => {
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\bsrc="|type="application\/json"/);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    // Nothing in the JSON block can close the <script> element.
    expect(/id="spec-throughput">([^]*?)<\/script>/.exec(html)![1]).not.toContain('<');
  });

  it('names no other host anywhere in the built HTML, JS and CSS', () => {
    const pages = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.html'));
    const files = [...pages, ...assets().map((f) => `assets/${f}`)];
    const found = new Set<string>();
    for (const f of files) {
      const text = read(f);
      for (const [url] of text.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'`)<>\\]+/gi)) if (!XML_NAMESPACES.has(url)) found.add(`${f}: ${url}`);
      // Protocol-relative links in markup and CSS (src="//cdn…", url(//…)).
      for (const [ref] of text.matchAll(/(?:src|href)=["']\/\/[^"']+|url\(\s*["']?\/\/[^)]+/gi)) found.add(`${f}: ${ref}`);
    }
    expect([...found]).toEqual([]);
  });

  // The first-load budget is counted on the wire, as each server sends it: integration/page-weight.

  it('bundles the client once per process and reuses it on a rebuild', async () => {
    expect(await bundleClient()).toBe(await bundleClient());
    expect(timings[1]).toBeLessThan(timings[0]!);
  });

  it('finds its project from the compiled code, whatever the working directory', () => {
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'plowboard-cwd-'));
    const target = path.join(elsewhere, 'out');
    try {
      const script = `const { buildSite } = await import(${JSON.stringify(path.join(repoRoot, 'dist', 'sidecar', 'site', 'build.js'))});
await buildSite({ outputDir: ${JSON.stringify(target)}, site: { version: '1', intervalSeconds: 2, instances: [] } });`;
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: elsewhere, stdio: 'pipe' });
      expect(readFileSync(path.join(target, 'index.html'), 'utf8')).toContain('id="chart-throughput"');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  }, 60_000);
});
