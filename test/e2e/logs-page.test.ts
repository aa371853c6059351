import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine, Logs } from '../../sidecar/contract/index.js';
import { expectCleanPage, type WatchedPage } from '../helpers/browser.js';
import { waitFor } from '../helpers/ports.js';
import { EVIL_NAME, sampleData } from '../helpers/sampleOutput.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { SitePage, artifacts, firstLoadFiles } from '../helpers/sitePage.js';

const site = new SitePage();
let view: WatchedPage;
let logs: Logs;
const start = Date.now() - 2 * 3600_000;

/** Plain lines from a time on, 0.1 s apart, a warning every 25th and a debug line every 10th. */
function filler(from: number, n: number, at = Date.now()): LogLine[] {
  return Array.from({ length: n }, (_, i) => {
    const k = from + i;
    const level = k % 25 === 0 ? 'WARNING' : k % 10 === 0 ? 'DEBUG' : 'INFO';
    return { time: new Date(at + i * 100).toISOString(), level, logger: 'cloudplow', func: 'check', message: `Routine line ${k}` };
  });
}

const scrollState = () =>
  view.page.locator('#log-scroll').evaluate((e) => ({ top: e.scrollTop, bottom: e.scrollHeight - e.scrollTop - e.clientHeight }));

beforeAll(async () => {
  const data = sampleData();
  logs = data.logs as Logs;
  // The sample's own lines (which carry the recognized events) between 200 others.
  logs.lines = [...filler(0, 100, start), ...logs.lines, ...filler(100, 100, Date.now() - 25_000)];
  await site.start(data, { timezoneId: 'Australia/Sydney', locale: 'en-AU' });
  expectValidOutput(site.out, ['index', 'logs']);
  view = await site.open('logs/');
  await view.page.locator('#log-lines tr').nth(204).waitFor({ timeout: 30_000 });
}, 120_000);

afterAll(() => site.stop());

const rows = () => view.page.locator('#log-lines tr');
const choose = (label: RegExp) => view.page.locator('#log-level label.choice', { hasText: label }).locator('input').check();

describe('the logs page', () => {
  it('shows the lines in a table, levels counted, recognized events marked and listed', async () => {
    const { page } = view;
    expect(await page.locator('table.log thead th[scope=col]').allTextContents()).toEqual(['Time', 'Level', 'Logger', 'Message']);
    expect(await rows().count()).toBe(205);
    expect(await page.locator('#log-status').textContent()).toMatch(/^205 lines; the last logged \d+ s ago\.$/);
    // 8 warnings (0, 25, … 175), 16 debug (10, 20, … but not 50, 100, 150); one error, from the rclone line.
    expect(await page.locator('#log-level label.choice').allTextContents()).toEqual([' All (205)', ' errors (1)', ' warnings (8)', ' info (180)', ' debug (16)']);
    // Each event's line is marked with what it is.
    expect(await page.locator('#log-lines tr.event').count()).toBe(4);
    expect(await page.locator('#log-lines tr.event .event-tag').allTextContents()).toEqual(['upload started', 'service accounts counted', 'service account chosen', 'file copied']);
    // The events panel, newest first, with times and ages.
    const events = page.locator('#events li');
    expect(await events.count()).toBe(4);
    expect(await events.first().locator('button').textContent()).toBe(`file copied: google · Movies/${EVIL_NAME}`);
    expect(await events.nth(1).locator('button').textContent()).toBe('service account chosen: google · 1.json');
    expect(await events.first().locator('time').textContent()).toMatch(/^\d\d:\d\d:\d\d( [ap]m)? · 1 min( \d+ s)? ago$/);
    // Time in the viewer's zone.
    const t = logs.lines.find((l) => l.level === 'ERROR')!.time!;
    const local = new Date(t).toLocaleTimeString('en-AU', { timeZone: 'Australia/Sydney', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    expect(await page.locator('#log-lines tr', { hasText: 'Failed to copy' }).locator('td.time').textContent()).toBe(local);
    expect(await page.title()).toBe('1 error — Logs — plowboard');
  });

  it('shows a hostile line as literal text, and nothing runs', async () => {
    const { page } = view;
    const line = page.locator('#log-lines tr', { hasText: 'onerror' });
    expect(await line.locator('td.msg').textContent()).toBe(`file copied2026/11/22 10:00:00 INFO  : Movies/${EVIL_NAME}: Copied (new)`);
    expect(await page.locator('img').count()).toBe(0);
    expect(site.dialogs).toEqual([]);
  });

  it('filters by level, by search and to events only', async () => {
    const { page } = view;
    await choose(/errors/);
    expect(await rows().count()).toBe(1);
    expect(await rows().first().locator('td.level').textContent()).toBe('ERROR');
    expect(await rows().first().getAttribute('data-level')).toBe('ERROR');
    await choose(/warnings/);
    expect(await rows().count()).toBe(8);
    expect(await page.locator('#log-status').textContent()).toMatch(/^8 of 205 lines;/);
    await choose(/All/);
    await page.locator('#log-search').fill('service account');
    expect(await rows().count()).toBe(2);
    // The counts follow the search.
    expect(await page.locator('#log-level label.choice').first().textContent()).toBe(' All (2)');
    await page.locator('#log-search').fill('');
    await page.locator('#log-events-only').check();
    expect(await rows().count()).toBe(4);
    await page.locator('#log-events-only').uncheck();
    expect(await rows().count()).toBe(205);
  });

  it('follows new lines, pauses when the reader scrolls up, and resumes on the button or at the bottom', async () => {
    const { page } = view;
    await waitFor('the view to sit at the bottom', async () => (await scrollState()).bottom < 8, 5_000);
    expect(await page.locator('#follow-state').textContent()).toBe('Following new lines.');

    // New lines while following: the view stays at the bottom, showing them.
    logs = { ...logs, lines: [...logs.lines, ...filler(1000, 20)] };
    site.update('logs', logs);
    await page.locator('#log-lines tr', { hasText: 'Routine line 1019' }).waitFor({ timeout: 20_000 });
    await waitFor('the view to follow', async () => (await scrollState()).bottom < 8, 5_000);
    expect(await page.locator('#log-lines tr', { hasText: 'Routine line 1019' }).isVisible()).toBe(true);

    // The reader scrolls up: following pauses, and new lines do not pull the view down.
    await page.locator('#log-scroll').hover();
    await page.mouse.wheel(0, -2000);
    await page.getByText('Paused: you scrolled up.').waitFor({ timeout: 5_000 });
    expect(await page.getByRole('button', { name: 'Follow new lines ↓' }).isVisible()).toBe(true);
    const pausedAt = (await scrollState()).top;
    logs = { ...logs, lines: [...logs.lines, ...filler(2000, 5)] };
    site.update('logs', logs);
    await page.getByText('Paused: you scrolled up. 5 new lines below.').waitFor({ timeout: 20_000 });
    expect(Math.abs((await scrollState()).top - pausedAt)).toBeLessThan(2);
    expect(await page.title()).toBe('1 error · paused — Logs — plowboard');

    // The button takes the reader to the newest line and follows again.
    await page.getByRole('button', { name: 'Follow new lines ↓' }).click();
    expect((await scrollState()).bottom).toBeLessThan(8);
    expect(await page.locator('#follow-state').textContent()).toBe('Following new lines.');
    expect(await page.getByRole('button', { name: 'Follow new lines ↓' }).isHidden()).toBe(true);

    // Scrolling back down by hand resumes it too.
    await page.locator('#log-scroll').hover();
    await page.mouse.wheel(0, -600);
    await page.getByText('Paused: you scrolled up.').waitFor({ timeout: 5_000 });
    await page.locator('#log-scroll').evaluate((e) => e.scrollTo({ top: e.scrollHeight }));
    await page.getByText('Following new lines.').waitFor({ timeout: 5_000 });
  }, 60_000);

  it('jumps from an event to its line, and lines that stayed are the same elements', async () => {
    const { page } = view;
    await page.locator('#log-lines tr', { hasText: 'Routine line 150' }).first().evaluate((e) => Object.assign(e, { same: true }));
    await page.locator('#events button', { hasText: 'service account chosen' }).click();
    const line = page.locator('#log-lines tr.flash');
    expect(await line.locator('td.msg').textContent()).toBe('service account chosenUsing service account: /opt/sa/1.json');
    expect(await line.isVisible()).toBe(true);
    await page.getByText('Paused: you scrolled up.').waitFor({ timeout: 5_000 });
    // The next update keeps the elements of lines that were already there.
    logs = { ...logs, lines: [...logs.lines.slice(10), ...filler(3000, 3)] };
    site.update('logs', logs);
    await page.locator('#log-lines tr', { hasText: 'Routine line 3002' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('#log-lines tr', { hasText: 'Routine line 0' }).count()).toBe(0);
    expect(await page.locator('#log-lines tr', { hasText: 'Routine line 150' }).first().evaluate((e) => (e as unknown as { same?: boolean }).same)).toBe(true);
    await page.getByRole('button', { name: 'Follow new lines ↓' }).click();
  }, 60_000);

  it('reads at phone width in dark mode, and ran clean under the CSP', async () => {
    await view.page.screenshot({ path: path.join(artifacts, 'logs.png'), fullPage: true });
    const phone = await site.open('logs/', { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    await phone.page.locator('#log-lines tr').nth(20).waitFor({ timeout: 20_000 });
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.page.screenshot({ path: path.join(artifacts, 'logs-phone-dark.png') });
    expectCleanPage(phone);
    await phone.page.close();
    expectCleanPage(view);
  }, 60_000);

  it('loads under 300 KB gzipped, without Vega', () => {
    const files = firstLoadFiles(site.out, 'logs/index.html');
    expect(readFileSync(files.find((f) => f.endsWith('.js'))!, 'utf8')).not.toContain('vega');
    expect(files.reduce((n, f) => n + gzipSync(readFileSync(f)).length, 0)).toBeLessThan(300 * 1024);
  });
});
