import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Live } from '../../sidecar/contract/index.js';
import { expectCleanPage, type WatchedPage } from '../helpers/browser.js';
import { waitFor } from '../helpers/ports.js';
import { sampleData } from '../helpers/sampleOutput.js';
import { SitePage } from '../helpers/sitePage.js';

/**
 * A wall screen that has nothing new to say does not redraw: the kiosk's and the
 * overview's throughput chart are left alone while live.json does not change (its window
 * slides on in steps of 1/120 of its width, 5 s of 10 min), and drawn again when it does.
 */
const site = new SitePage();
const pages: Record<string, WatchedPage> = {};
const CHART = { 'kiosk/': '#k-chart svg', '': '#chart-throughput svg' } as const;

beforeAll(async () => {
  await site.start(sampleData({ inFlight: 3 }), { intervals: { activeSeconds: 1 } });
  for (const [page, svg] of Object.entries(CHART)) {
    pages[page] = await site.open(page, { viewport: { width: 1920, height: 1080 } });
    await pages[page]!.page.locator(`${svg} :is(.mark-line, .mark-area) path`).first().waitFor({ state: 'attached', timeout: 30_000 });
  }
}, 120_000);

afterAll(() => site.stop());

/** Counts the batches of changes made to the chart's SVG from now on (one per redraw). */
const watchChart = (w: WatchedPage, svg: string) =>
  w.page.evaluate((sel) => {
    const win = window as unknown as { redraws: number };
    win.redraws = 0;
    new MutationObserver(() => win.redraws++).observe(document.querySelector(sel)!, { subtree: true, childList: true, attributes: true, characterData: true });
  }, svg);
const redraws = (w: WatchedPage) => w.page.evaluate(() => (window as unknown as { redraws: number }).redraws);

describe('a chart with nothing new to show', () => {
  for (const [page, svg] of Object.entries(CHART)) {
    it(`is not redrawn every second on ${page || 'the overview'}, and is when live.json changes`, async () => {
      const w = pages[page]!;
      await watchChart(w, svg);
      // Eight ticks of the page's once-a-second timer and eight polls answered 304.
      await new Promise((r) => setTimeout(r, 8000));
      // One step of the sliding window every 5 s: at most two redraws, not eight.
      expect(await redraws(w)).toBeLessThanOrEqual(2);

      const live = site.read<Live>('live');
      live.throughput.points = live.throughput.points.map((p) => ({ ...p, bytesPerSecond: p.bytesPerSecond * 2 }));
      site.update('live', live);
      await waitFor('the chart to be drawn with the new live.json', async () => (await redraws(w)) > 2, 15_000);
      expectCleanPage(w);
    }, 60_000);
  }
});

describe('the kiosk’s words with nothing new to say', () => {
  it('stand still between polls: the clock, the freshness, a stalled file’s time, the elapsed time and the countdown move to the minute', async () => {
    const w = pages['kiosk/']!;
    expect(await w.page.locator('#k-fresh').textContent()).toBe('live');
    expect(await w.page.locator('#k-clock').textContent()).toMatch(/^\d\d:\d\d( [AP]M)?$/);
    // Every change to the page's text and attributes outside the chart, counted in batches.
    await w.page.evaluate(() => {
      const win = window as unknown as { textChanges: number };
      win.textChanges = 0;
      const chart = document.querySelector('#k-chart')!;
      new MutationObserver((records) => {
        if (records.some((r) => !chart.contains(r.target))) win.textChanges++;
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await new Promise((r) => setTimeout(r, 8000));
    // Eight ticks: at most the one where the minute turns, not one a second.
    expect(await w.page.evaluate(() => (window as unknown as { textChanges: number }).textChanges)).toBeLessThanOrEqual(1);
    expectCleanPage(w);
  }, 60_000);
});
