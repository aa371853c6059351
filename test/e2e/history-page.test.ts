import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryRange, HistorySeries, Summary } from '../../sidecar/contract/index.js';
import { expectCleanPage, type WatchedPage } from '../helpers/browser.js';
import { waitFor } from '../helpers/ports.js';
import { EVIL_NAME, sampleData } from '../helpers/sampleOutput.js';
import { repoRoot } from '../helpers/sidecarProcess.js';
import { SIDECAR_PACE, SitePage } from '../helpers/sitePage.js';

const GiB = 1024 ** 3;
const site = new SitePage();
let view: WatchedPage;

/** Buckets [from, to) cut out of a series and replaced by one row of nulls: what the sidecar writes for downtime. */
function cutGap(s: HistorySeries, from: number, to: number): HistorySeries {
  const cols = ['t', 'bytes', 'bytesPerSecond', 'inFlight', 'errors'] as const;
  const next = { ...s };
  for (const c of cols) next[c] = [...s[c].slice(0, from), null, ...s[c].slice(to)];
  return next;
}

/** The throughput line's path: one "M" per drawn stretch. */
const subpaths = (d: string | null) => (d ?? '').match(/M/g)?.length ?? 0;

beforeAll(async () => {
  const data = sampleData({ historyHours: 50 });
  const h1 = data['history-1h'] as HistoryRange;
  // A quarter of an hour of downtime in the last hour.
  data['history-1h'] = { ...h1, series: h1.series.map((s) => cutGap(s, 200, 380)) };
  await site.start(data, { locale: 'en-GB', timezoneId: 'America/New_York', ...SIDECAR_PACE });
  view = await site.open('history/');
}, 120_000);

afterAll(() => site.stop());

describe('the history page', () => {
  it('draws throughput and errors for the last hour, with the gap left blank', async () => {
    const { page } = view;
    const line = page.locator('#chart-history-throughput svg .mark-line path').first();
    await line.waitFor({ state: 'attached', timeout: 20_000 });
    // Two stretches of line, nothing drawn across the downtime.
    expect(subpaths(await line.getAttribute('d'))).toBe(2);
    const errors = page.locator('#chart-history-errors svg .mark-line path').first();
    await errors.waitFor({ state: 'attached' });
    expect(subpaths(await errors.getAttribute('d'))).toBe(2);
    expect(await page.locator('#range-note').textContent()).toMatch(/^The last hour in 5 s buckets: .+ moved, \d+ errors?, 1 gap where the sidecar did not run\.$/);
    expect(await page.locator('#chart-history-throughput-desc').textContent()).toMatch(/^Throughput over the last hour: average .+\/s, peak .+\/s; 1 gap left blank\.$/);
    expect(await page.locator('input[value="1h"]').isChecked()).toBe(true);
  }, 60_000);

  it('shows the totals of summary.json at the top, one row a period, with the sidecar\'s zone said under them', async () => {
    const { page } = view;
    const summary = site.read<Summary>('summary');
    const rows = page.locator('#totals-rows tr');
    await rows.first().waitFor({ state: 'attached', timeout: 20_000 });
    expect(await page.locator('#totals-rows th').allTextContents()).toEqual(['Today', 'Yesterday', 'This week', 'Last week', 'This month', 'Last 30 days']);
    const today = await rows.first().locator('td').allTextContents();
    // Uploaded (binary units, as every page), files, failed, SA changes, refusals, time uploading.
    expect(today[0]).toMatch(/^[\d.,]+ GiB$/);
    expect(today.slice(1, 5)).toEqual([summary.periods.today.files, summary.periods.today.failures, summary.periods.today.saChanges, summary.periods.today.refusals].map(String));
    expect(summary.periods.last30Days.refusals).toBe(2);
    expect(await page.locator('#totals-note').textContent()).toContain(`${summary.timeZone.name} (UTC${summary.timeZone.offset}); weeks start on Monday.`);
  }, 60_000);

  it('draws bytes per day from the 90-day file, and says there is no per-SA history yet', async () => {
    const { page } = view;
    const days = (site.read<HistoryRange>('history-90d').daily ?? []).filter((d) => d.key === 'total');
    await page.locator('#chart-daily svg .mark-rect.role-mark path').first().waitFor({ state: 'attached', timeout: 20_000 });
    expect(await page.locator('#chart-daily svg .mark-rect.role-mark path').count()).toBe(days.length);
    expect(await page.locator('#chart-daily-desc').textContent()).toMatch(new RegExp(`^${days.length} days with uploads`));
    expect(await page.locator('#heatmap-empty').textContent()).toBe('no per-SA history yet');
    expect(await page.locator('#heatmap-empty').isVisible()).toBe(true);
    expect(await page.locator('#chart-heatmap').isHidden()).toBe(true);
  }, 60_000);

  it('switches range with the keyboard: another file, another chart, no gap where there was none', async () => {
    const { page } = view;
    const line = page.locator('#chart-history-throughput svg .mark-line path').first();
    const before = await line.getAttribute('d');
    const labels = async () => (await page.locator('#chart-history-throughput svg .role-axis-label text').allTextContents()).join(',');
    const labelsBefore = await labels();
    await page.locator('input[value="1h"]').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('input[value="48h"]').isChecked()).toBe(true);
    await waitFor('the 48 h chart', async () => (await page.locator('#range-note').textContent())?.startsWith('The last 48 hours in 1 min buckets'), 15_000);
    expect(await line.getAttribute('d')).not.toBe(before);
    expect(await labels()).not.toBe(labelsBefore);
    expect(subpaths(await line.getAttribute('d'))).toBe(1);
    expect(page.url()).toMatch(/#range=48h$/);
    expect(view.requests.some((r) => r.endsWith('/data/history-48h.json'))).toBe(true);

    await page.keyboard.press('ArrowRight');
    await waitFor('the 90 d chart', async () => (await page.locator('#range-note').textContent())?.startsWith('The last 90 days in 15 min buckets'), 15_000);
    // Ninety days: the axis names days, not times.
    expect(await labels()).toMatch(/[A-Z][a-z]{2} \d{1,2}/);
    await page.screenshot({ path: path.join(repoRoot, 'test', 'artifacts', 'history.png'), fullPage: true });
  }, 60_000);

  it('polls only the range shown: the hour is not fetched again while 90 days are on screen', async () => {
    // Asked for at all, answered 200 or 304.
    const asked = (name: string) => site.server.log.filter((r) => r.path === `/data/${name}.json`).length;
    const before = asked('history-1h');
    const before90 = asked('history-90d');
    site.touch({ changed: ['history-1h', 'history-90d'] });
    await waitFor('90d asked for again', () => asked('history-90d') > before90, 15_000);
    expect(asked('history-1h')).toBe(before);
  }, 30_000);

  it('draws a heatmap of bytes per SA per day once the sidecar keeps them, names as text', async () => {
    const { page } = view;
    const h90 = site.read<HistoryRange>('history-90d');
    const day = (n: number) => new Date(Date.now() - n * 86400_000).toISOString().slice(0, 10);
    const accounts = ['google/1.json', `google/${EVIL_NAME}.json`, 'google/3.json'];
    const daily = [...h90.daily, ...accounts.flatMap((a, i) => [0, 1, 2].map((n) => ({ day: day(n), key: `account:${a}`, bytes: (i + n + 1) * 100 * GiB })))];
    site.update('history-90d', { ...h90, daily });
    await page.locator('#chart-heatmap svg .mark-rect.role-mark path').first().waitFor({ state: 'attached', timeout: 20_000 });
    expect(await page.locator('#chart-heatmap svg .mark-rect.role-mark path').count()).toBe(9);
    expect(await page.locator('#heatmap-empty').isHidden()).toBe(true);
    expect(await page.locator('#chart-heatmap-desc').textContent()).toMatch(/^3 service accounts over 3 days; the most in a day: /);
    // Vega draws the label as SVG text: the markup in the name stays characters.
    const ylabels = (await page.locator('#chart-heatmap svg .role-axis-label text').allTextContents()).join('\n');
    expect(ylabels).toContain('google/1.json');
    expect(ylabels).toContain('<img src=x');
    expect(await page.locator('img').count()).toBe(0);
    expect(site.dialogs).toEqual([]);
  }, 60_000);

  it('opens on the range named in the address, at phone width in dark mode, cleanly', async () => {
    const phone = await site.open('history/#range=48h', { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    const { page } = phone;
    await page.locator('#chart-history-throughput svg .mark-line path').first().waitFor({ state: 'attached', timeout: 20_000 });
    expect(await page.locator('input[value="48h"]').isChecked()).toBe(true);
    expect(phone.requests.some((r) => r.endsWith('/data/history-1h.json'))).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(repoRoot, 'test', 'artifacts', 'history-phone-dark.png'), fullPage: true });
    expectCleanPage(phone);
    expectCleanPage(view);
    await page.close();
  }, 60_000);
});
