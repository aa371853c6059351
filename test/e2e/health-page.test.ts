import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_FILES } from '../../sidecar/contract/index.js';
import { buildSite } from '../../sidecar/site/build.js';
import { TestBrowser, expectCleanPage, type WatchedPage } from '../helpers/browser.js';
import { EVIL_NAME, sampleData, writeSampleOutput } from '../helpers/sampleOutput.js';
import { repoRoot } from '../helpers/sidecarProcess.js';
import { StaticServer } from '../helpers/staticServer.js';

let out: string;
let server: StaticServer;
let browser: TestBrowser;
let view: WatchedPage;
const dialogs: string[] = [];

beforeAll(async () => {
  out = mkdtempSync(path.join(tmpdir(), 'plowboard-health-'));
  await buildSite({ outputDir: out, site: { version: '0.1.0', intervalSeconds: 2, instances: ['default'] } });
  await writeSampleOutput(out, sampleData());
  server = await new StaticServer(out).start();
  browser = await new TestBrowser().launch({ locale: 'en-GB' });
  view = await browser.open(`${server.url}health/`);
  view.page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('the health page', () => {
  it('shows each source with state, latency, last error and hint, in a real table', async () => {
    const { page } = view;
    const rclone = page.locator('#health-sources tr[data-source="rclone:default"]');
    await rclone.waitFor({ timeout: 20_000 });
    expect(await page.locator('table.health-sources thead th[scope="col"]').allTextContents()).toEqual(['Source', 'State', 'Target', 'Latency', 'Last ok', 'Last error', 'What to do']);
    expect(await rclone.locator('th[scope="row"]').textContent()).toBe('defaultrclone');
    expect(await rclone.locator('td').nth(0).textContent()).toBe('okrclone “default” is answering (v1.60.1).');
    expect(await rclone.locator('td').nth(2).textContent()).toBe('3 ms');
    expect(await rclone.locator('td').nth(3).textContent()).toMatch(/^(just now|\d+ s ago)$/);

    const log = page.locator('#health-sources tr[data-source="cloudplow:log"]');
    expect(await log.locator('td').nth(0).locator('strong').textContent()).toBe('error');
    expect(await log.locator('td').nth(3).textContent()).toBe('never');
    // The error message holds markup and a hostile name: shown as characters.
    expect(await log.locator('td.result span').first().textContent()).toBe(`cannot read <b>${EVIL_NAME}</b>`);
    expect(await log.locator('td.hint').textContent()).toBe('Check the file’s permissions.');
    expect(await page.locator('main img, main b').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(await page.locator('#health-state').textContent()).toBe('(degraded)');
  }, 60_000);

  it('names the sidecar version, its uptime and the rclone version', async () => {
    const { page } = view;
    expect(await page.locator('#sidecar-version').textContent()).toBe('plowboard 0.1.0');
    expect(await page.locator('#sidecar-uptime').textContent()).toMatch(/^2 h \(since .+\)$/);
    expect(await page.locator('#rclone-version').textContent()).toBe('v1.60.1');
  });

  it('lists every data file with a working link to it and to its schema', async () => {
    const { page } = view;
    const rows = page.locator('#data-files tr');
    expect(await rows.count()).toBe(DATA_FILES.length);
    for (const f of DATA_FILES) {
      const row = page.locator(`#data-files tr[data-file="${f.name}"]`);
      expect(await row.locator('th[scope="row"] a').getAttribute('href')).toBe(`../data/${f.name}.json`);
      const schema = await row.locator('a.schema-link').getAttribute('href');
      expect(schema).toBe(`../schema/${f.name}.schema.json`);
      // The link leads somewhere real: the schema the sidecar published.
      expect(existsSync(path.join(out, 'schema', `${f.name}.schema.json`))).toBe(true);
      expect(await row.locator('td.changed').textContent()).toMatch(/^(just now|\d+ s ago)$/);
    }
    const res = await fetch(new URL('schema/live.schema.json', server.url));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { $id: string }).$id).toBe('live.schema.json');
  });

  it('shows the effective configuration, one setting a row', async () => {
    const { page } = view;
    await page.locator('#config tr').first().waitFor({ timeout: 15_000 });
    const text = await page.locator('table.config').textContent();
    expect(text).toContain('cloudplowConfig.path/opt/cloudplow/config.json');
    expect(text).toContain('rclone[0].urlhttp://127.0.0.1:7949');
    expect(text).toContain('intervalSeconds2');
    expect(await page.locator('#config-empty').isHidden()).toBe(true);
    expect(await page.locator('#config th[scope="row"]').allTextContents()).toContain('rclone[0].credentialsFrom');
  });

  it('loads no chart code: its script is small and does not contain Vega', async () => {
    const html = readFileSync(path.join(out, 'health', 'index.html'), 'utf8');
    const script = /src="\.\.\/(assets\/health\.[A-Z2-7]{8}\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    // The page's script and every chunk it imports, as the browser loads them.
    const loaded = new Set<string>();
    const follow = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const [, chunk] of readFileSync(path.join(out, file), 'utf8').matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) follow(`assets/${chunk}`);
    };
    follow(script!);
    const js = [...loaded].map((f) => readFileSync(path.join(out, f), 'utf8')).join('\n');
    expect(js.length).toBeLessThan(40_000);
    expect(js).not.toMatch(/vega/i);
    expect(readdirSync(path.join(out, 'assets')).some((f) => f.startsWith('health.'))).toBe(true);
  });

  it('fits a phone in dark mode, with no console error and nothing from another host', async () => {
    await view.page.screenshot({ path: path.join(repoRoot, 'test', 'artifacts', 'health.png'), fullPage: true });
    const phone = await browser.open(`${server.url}health/`, { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    const { page } = phone;
    await page.locator('#config tr').first().waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(repoRoot, 'test', 'artifacts', 'health-phone-dark.png'), fullPage: true });
    expectCleanPage(phone);
    expectCleanPage(view);
    await page.close();
  }, 60_000);
});
