import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, expectCleanPage, type WatchedPage } from '../helpers/browser.js';
import { sampleData, writeSampleOutput } from '../helpers/sampleOutput.js';
import { repoRoot, runCli } from '../helpers/sidecarProcess.js';

const NOW = Date.parse('2026-11-23T04:12:34.567Z');
const CHARTS = ['throughput', 'accounts', 'history-48h', 'daily', 'sizes'];

let work: string;
let browser: TestBrowser;
let view: WatchedPage;
const dialogs: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-snapshot-e2e-'));
  const from = path.join(work, 'output');
  await writeSampleOutput(from, sampleData({ now: NOW }), { now: NOW });
  const out = path.join(work, 'wiki');
  const r = await runCli(['snapshot', '--from', from, '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  const file = path.join(out, 'plowboard-2026-11-23T0412Z.html');

  browser = await new TestBrowser().launch();
  // Opened blank first, so that the network is cut off before the snapshot loads: only file: URLs get through.
  view = await browser.open('about:blank');
  await view.page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
  view.page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await view.page.goto(pathToFileURL(file).href);
  await view.page.waitForLoadState('load');
});

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('a snapshot opened from disk with the network cut off', () => {
  it('draws every chart, with visible marks', async () => {
    const figures = await view.page.$$eval('figure', (els) =>
      els.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const marks = [...(svg?.querySelectorAll('.role-mark path, .role-mark line') ?? [])].filter((m) => {
          const b = (m as SVGGraphicsElement).getBBox();
          return b.width > 0 || b.height > 0;
        });
        return { id: f.id, width: box?.width ?? 0, height: box?.height ?? 0, marks: marks.length };
      }),
    );
    expect(figures.map((f) => f.id).sort()).toEqual(CHARTS.map((c) => `chart-${c}`).sort());
    for (const f of figures) {
      expect(f.width, f.id).toBeGreaterThan(200);
      expect(f.height, f.id).toBeGreaterThan(100);
      expect(f.marks, f.id).toBeGreaterThan(0);
    }
  });

  it('asks for nothing but itself, logs no error, runs nothing', async () => {
    expect(view.requests.filter((u) => u !== 'about:blank')).toEqual([view.page.url()]);
    expectCleanPage(view);
    expect(dialogs).toEqual([]);
    expect(await view.page.$$eval('script, img, iframe, link', (els) => els.length)).toBe(0);
    // Hostile names are on the page as text.
    expect(await view.page.textContent('#transfers')).toContain('<img src=x onerror=alert(1)>');
  });

  it('saves a screenshot', async () => {
    mkdirSync(path.join(repoRoot, 'test-artifacts'), { recursive: true });
    await view.page.screenshot({ path: path.join(repoRoot, 'test-artifacts', 'snapshot.png'), fullPage: true });
  });
});
