import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_FILES, type Health } from '../../sidecar/contract/index.js';
import { expectCleanPage, type WatchedPage } from '../helpers/browser.js';
import { EVIL_NAME, sampleData } from '../helpers/sampleOutput.js';
import { repoRoot } from '../helpers/sidecarProcess.js';
import { SIDECAR_PACE, SitePage } from '../helpers/sitePage.js';

const site = new SitePage();
let view: WatchedPage;
let data: Record<string, unknown>;

beforeAll(async () => {
  data = sampleData();
  await site.start(data, { locale: 'en-GB', ...SIDECAR_PACE });
  view = await site.open('health/');
}, 120_000);

afterAll(() => site.stop());

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
    expect(site.dialogs).toEqual([]);
    expect(await page.locator('#health-state').textContent()).toBe('(degraded)');
  }, 60_000);

  it('names the sidecar version, its uptime and the rclone version', async () => {
    const { page } = view;
    expect(await page.locator('#sidecar-version').textContent()).toBe('plowboard 0.1.0');
    expect(await page.locator('#sidecar-uptime').textContent()).toMatch(/^2 h \(since .+\)$/);
    expect(await page.locator('#rclone-version').textContent()).toBe('v1.60.1');
  });

  it("shows rclone's platform beside its version, its notes, and tells an RC that wants a user apart from a refused password", async () => {
    const { page } = view;
    const health = structuredClone(data.health) as Health;
    const rclone = health.sources[0]!;
    const notes = ['The list of finished transfers needs --rc-enable-metrics <off>: only live figures are read.', 'core/transferred is empty until the first file finishes.'];
    Object.assign(rclone, { version: 'v1.74.0', platform: 'linux/amd64 · debian 12.11 (64 bit) · kernel 6.18.44 (x86_64)', notes });
    const base = { kind: 'rclone', target: 'http://127.0.0.1:7950', since: null, lastOkAt: null, lastCheckedAt: null, latencyMs: 2 };
    health.sources.push(
      { ...base, id: 'rclone:wants-user', name: 'wants-user', state: 'auth_required', lastError: { at: health.generatedAt, message: 'HTTP 403 from core/stats: authentication required' }, hint: 'No password was refused.' },
      { ...base, id: 'rclone:refused', name: 'refused', state: 'auth_failed', lastError: { at: health.generatedAt, message: 'HTTP 401 Unauthorized' }, hint: null },
    );
    site.update('health', health);

    const row = page.locator('#health-sources tr[data-source="rclone:default"]');
    await expect.poll(() => row.locator('.platform').textContent(), { timeout: 20_000 }).toBe('linux/amd64 · debian 12.11 (64 bit) · kernel 6.18.44 (x86_64)');
    expect(await row.locator('td.state .sub').first().textContent()).toBe('rclone “default” is answering (v1.74.0).');
    // Notes are text: the one holding markup shows it as characters.
    expect(await row.locator('ul.notes li').allTextContents()).toEqual(notes);
    expect(await page.locator('main off').count()).toBe(0);
    expect(await page.locator('#rclone-version').textContent()).toBe('v1.74.0 (linux/amd64 · debian 12.11 (64 bit) · kernel 6.18.44 (x86_64))');

    const wants = page.locator('#health-sources tr[data-source="rclone:wants-user"] td.state');
    const refused = page.locator('#health-sources tr[data-source="rclone:refused"] td.state');
    expect(await wants.locator('strong').textContent()).toBe('auth required');
    expect(await refused.locator('strong').textContent()).toBe('auth failed');
    expect(await wants.locator('.sub').textContent()).toBe('rclone “wants-user” answers this call only when its remote control has a user set (rclone 1.74+).');
    expect(await refused.locator('.sub').textContent()).toBe("rclone “refused” refused plowboard's credentials.");
    // Not the red of a refused password: a setting to change, not an intruder.
    const colour = (l: typeof wants) => l.locator('strong').evaluate((e) => getComputedStyle(e).color);
    expect(await colour(wants)).not.toBe(await colour(refused));
    // A source without platform or notes has neither line.
    expect(await page.locator('#health-sources tr[data-source="cloudplow:log"] .platform, #health-sources tr[data-source="cloudplow:log"] ul.notes').count()).toBe(0);
    expect(await page.locator('main').innerText()).not.toMatch(/undefined|NaN/);
  }, 60_000);

  it("says under a file's path how plowboard found it, and nothing for a source without that", async () => {
    const { page } = view;
    const health = structuredClone(data.health) as Health;
    const log = health.sources.find((s) => s.id === 'cloudplow:log')!;
    log.foundBy = 'beside cloudplow.py (cloudplow process 1234)';
    site.update('health', health);
    const cell = page.locator('#health-sources tr[data-source="cloudplow:log"] td.file');
    await expect.poll(() => cell.locator('.found-by').textContent(), { timeout: 20_000 }).toBe('found: beside cloudplow.py (cloudplow process 1234)');
    expect(await cell.locator('span').first().textContent()).toBe('/opt/cloudplow/cloudplow.log');
    expect(await page.locator('#health-sources tr[data-source="rclone:default"] .found-by').count()).toBe(0);
  }, 60_000);

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
      expect(existsSync(path.join(site.out, 'schema', `${f.name}.schema.json`))).toBe(true);
      expect(await row.locator('td.changed').textContent()).toMatch(/^(just now|\d+ s ago)$/);
    }
    const res = await fetch(new URL('schema/live.schema.json', site.server.url));
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
    const html = readFileSync(path.join(site.out, 'health', 'index.html'), 'utf8');
    const script = /src="\.\.\/(assets\/health\.[A-Z2-7]{8}\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    // The page's script and every chunk it imports, as the browser loads them.
    const loaded = new Set<string>();
    const follow = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const [, chunk] of readFileSync(path.join(site.out, file), 'utf8').matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) follow(`assets/${chunk}`);
    };
    follow(script!);
    const js = [...loaded].map((f) => readFileSync(path.join(site.out, f), 'utf8')).join('\n');
    expect(js.length).toBeLessThan(40_000);
    expect(js).not.toMatch(/vega/i);
    expect(readdirSync(path.join(site.out, 'assets')).some((f) => f.startsWith('health.'))).toBe(true);
  });

  it('fits a phone in dark mode, with no console error and nothing from another host', async () => {
    await view.page.screenshot({ path: path.join(repoRoot, 'test', 'artifacts', 'health.png'), fullPage: true });
    const phone = await site.open('health/', { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    const { page } = phone;
    await page.locator('#config tr').first().waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(repoRoot, 'test', 'artifacts', 'health-phone-dark.png'), fullPage: true });
    expectCleanPage(phone);
    expectCleanPage(view);
    await page.close();
  }, 60_000);
});
