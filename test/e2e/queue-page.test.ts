import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Distribution } from '../../sidecar/contract/index.js';
import { expectCleanPage, type WatchedPage } from '../helpers/browser.js';
import { EVIL_NAME, sampleData } from '../helpers/sampleOutput.js';
import { repoRoot } from '../helpers/sidecarProcess.js';
import { SIDECAR_PACE, SitePage } from '../helpers/sitePage.js';

const site = new SitePage();
let view: WatchedPage;

beforeAll(async () => {
  await site.start(sampleData(), { locale: 'en-GB', ...SIDECAR_PACE });
  view = await site.open('queue/');
}, 120_000);

afterAll(() => site.stop());

const bars = (measure: string, uploader = 'google') => view.page.locator(`section[data-uploader="${uploader}"] figure[data-measure="${measure}"] svg .mark-rect.role-mark path`);

describe('the queue and sizes page', () => {
  it('draws, per uploader, size buckets by count and by bytes, the queue beside history', async () => {
    const { page } = view;
    await bars('bytes').first().waitFor({ state: 'attached', timeout: 20_000 });
    // Five buckets, each with a queue bar and a history bar.
    expect(await bars('count').count()).toBe(10);
    expect(await bars('bytes').count()).toBe(10);
    const legend = await page.locator('section[data-uploader="google"] figure[data-measure="count"] svg .role-legend-label text').allTextContents();
    expect(legend).toEqual(['queue', 'history']);
    const desc = await page.locator('section[data-uploader="google"] figure[data-measure="bytes"] p.visually-hidden').textContent();
    expect(desc).toBe('Share of bytes per size bucket for google. queue: 0-100MB 0.2 %, 100MB-1GB 2.1 %, 1GB-10GB 24.4 %, 10GB-50GB 41.9 %, 50GB+ 31.4 %. history: 0-100MB 0.2 %, 100MB-1GB 2.1 %, 1GB-10GB 23.4 %, 10GB-50GB 42.5 %, 50GB+ 31.9 %.');
  }, 60_000);

  it('lists percentiles, samples, confidence and age in a real table', async () => {
    const { page } = view;
    const table = page.locator('section[data-uploader="google"] table.percentiles');
    expect(await table.locator('thead th[scope="col"]').allTextContents()).toEqual(['Figure', 'Queue', 'History']);
    expect(await table.locator('tbody th[scope="row"]').allTextContents()).toEqual(['p50', 'p75', 'p90', 'p95', 'p99', 'files sampled', 'total size', 'largest file', 'confidence', 'figures from']);
    const row = async (figure: string) => table.locator(`tr[data-figure="${figure}"] td`).allTextContents();
    expect(await row('p50')).toEqual(['2 GiB', '2 GiB']);
    expect(await row('p99')).toEqual(['60 GiB', '60 GiB']);
    expect(await row('files sampled')).toEqual(['400 of 400', '30 of 30']);
    expect(await row('confidence')).toEqual(['high', 'medium']);
    const ages = await row('figures from');
    expect(ages[0]).toMatch(/^10 min( \d+ s)? ago$/);
    expect(ages[1]).toMatch(/^24 h ago$/);
  });

  it('adds a section for a new uploader, its name as text, and keeps the old charts in place', async () => {
    const { page } = view;
    await page.evaluate(() => {
      (document.querySelector('section[data-uploader="google"] svg') as unknown as { same: boolean }).same = true;
    });
    const d = site.read<Distribution>('distribution');
    const evil = { ...d.uploaders[0]!, name: EVIL_NAME, history: null };
    site.update('distribution', { ...d, uploaders: [...d.uploaders, evil] });
    const heading = page.locator('section.uploader h2', { hasText: 'onerror' });
    await heading.waitFor({ timeout: 15_000 });
    expect(await heading.textContent()).toBe(EVIL_NAME);
    expect(await page.locator('section.uploader').count()).toBe(2);
    // No history for it: the table says so, the chart has only queue bars.
    const section = page.locator('section.uploader').nth(1);
    expect(await section.locator('tr[data-figure="p50"] td').allTextContents()).toEqual(['2 GiB', '—']);
    await section.locator('figure[data-measure="count"] svg .mark-rect.role-mark path').first().waitFor({ state: 'attached' });
    expect(await section.locator('figure[data-measure="count"] svg .mark-rect.role-mark path').count()).toBe(5);
    expect(await page.evaluate(() => (document.querySelector('section[data-uploader="google"] svg') as unknown as { same?: boolean }).same)).toBe(true);
    expect(await page.locator('img').count()).toBe(0);
    expect(site.dialogs).toEqual([]);
    await page.screenshot({ path: path.join(repoRoot, 'test', 'artifacts', 'queue.png'), fullPage: true });
  }, 60_000);

  it('fits a phone in dark mode, with no console error and nothing from another host', async () => {
    const phone = await site.open('queue/', { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    const { page } = phone;
    await page.locator('figure[data-measure="bytes"] svg .mark-rect.role-mark path').first().waitFor({ state: 'attached', timeout: 20_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(repoRoot, 'test', 'artifacts', 'queue-phone-dark.png'), fullPage: true });
    expectCleanPage(phone);
    expectCleanPage(view);
    await page.close();
  }, 60_000);
});
