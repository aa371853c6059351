import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Accounts, Uploader } from '../../sidecar/contract/index.js';
import { expectCleanPage, type WatchedPage } from '../helpers/browser.js';
import { waitFor } from '../helpers/ports.js';
import { EVIL_NAME, sampleData } from '../helpers/sampleOutput.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { SitePage, artifacts, firstLoadFiles } from '../helpers/sitePage.js';

const GiB = 1024 ** 3;
const site = new SitePage();
let view: WatchedPage;
let accounts: Accounts;

beforeAll(async () => {
  const data = sampleData({ accounts: 1000, historyHours: 48 });
  accounts = data.accounts as Accounts;
  await site.start(data, { timezoneId: 'Europe/Berlin', locale: 'en-GB' });
  expectValidOutput(site.out, ['index', 'accounts', 'history-48h']);
  view = await site.open('accounts/');
  await view.page.locator('#sa-table tbody tr').nth(49).waitFor({ timeout: 30_000 });
}, 120_000);

afterAll(() => site.stop());

const rows = () => view.page.locator('#sa-table tbody tr');
const choose = (label: RegExp) => view.page.locator('#sa-status label.choice', { hasText: label }).locator('input').check();
const search = (text: string) => view.page.locator('#sa-search').fill(text);
const all = () => accounts.uploaders[0]!.accounts;
const count = (status: string) => all().filter((a) => a.status === status).length;

describe('the service accounts page', () => {
  it('renders 1,000 accounts in pages of 50, each with a usage bar, status and countdown', async () => {
    const { page } = view;
    expect(await rows().count()).toBe(50);
    expect(await page.locator('#sa-table-status').textContent()).toBe('Showing 1–50 of 1000 service accounts.');
    expect(await page.locator('#sa-pager .where').textContent()).toBe('Page 1 of 20');
    expect(await page.locator('#sa-table thead th[scope=col]').allTextContents()).toEqual(['Uploader', 'Account ▲', 'Used', 'Left', 'Status', 'Resets', 'Banned until', 'Health', 'Refusals 24 h · 7 d · 30 d', 'Figure from']);
    // Numeric order: 1, 2, 3 … not 1, 10, 100.
    expect((await rows().locator('th[scope=row]').allTextContents()).slice(0, 3)).toEqual(['1.json', '2.json', '3.json']);
    const first = rows().first();
    expect(await first.getByRole('progressbar', { name: 'Quota used by 1.json' }).evaluate((e) => (e as HTMLProgressElement).value)).toBeCloseTo(all()[0]!.percent, 5);
    expect(await first.locator('td.usage .meta').textContent()).toBe('100 GiB of 750 GiB · 13 %');
    expect(await first.locator('td.status').textContent()).toBe('active');
    expect(await first.locator('td.reset').first().textContent()).toMatch(/^in (59 min \d+ s|1 h)$/);
    expect(await rows().nth(1).locator('td.status').textContent()).toBe('banned');
    expect(await rows().nth(1).locator('td.reset').nth(1).textContent()).toMatch(/ \(in 19 h \d+ min\)$/);
    // One uploader: no uploader choice to make.
    expect(await page.locator('#sa-uploader-label').isHidden()).toBe(true);
    expect(await page.title()).toBe(`${accounts.pool.usableNow} of 1000 SAs usable — Accounts — plowboard`);
  });

  it('filters 1,000 accounts by status and search, with counts', async () => {
    const { page } = view;
    const labels = await page.locator('#sa-status label.choice').allTextContents();
    expect(labels).toEqual([' All (1000)', ` active (${count('active')})`, ` available (${count('available')})`, ` exhausted (${count('exhausted')})`, ` banned (${count('banned')})`]);
    expect(count('exhausted')).toBeGreaterThan(50);
    await choose(/exhausted/);
    expect(await rows().count()).toBe(50);
    expect(await page.locator('#sa-table-status').textContent()).toBe(`Showing 1–50 of ${count('exhausted')} matching of 1000 service accounts.`);
    for (const s of await rows().locator('td.status').allTextContents()) expect(s).toBe('exhausted');
    await choose(/banned/);
    expect(await rows().locator('th').allTextContents()).toEqual(['2.json']);
    await choose(/All/);
    await search('999');
    expect(await rows().locator('th').allTextContents()).toEqual(['999.json']);
    expect(await page.locator('#sa-status label.choice').first().textContent()).toBe(' All (1)');
    await search('');
  });

  it('sorts by usage and by status', async () => {
    const { page } = view;
    const used = page.locator('#sa-table thead th', { hasText: 'Used' });
    await used.locator('button').click();
    expect(await used.getAttribute('aria-sort')).toBe('descending');
    const max = Math.max(...all().map((a) => a.usedBytes));
    expect(await rows().first().locator('td.usage .meta').textContent()).toMatch(new RegExp(`^${max / GiB} GiB of 750 GiB`));
    // Statuses in the order active, available, exhausted, banned: the unusable first, then the one in use.
    await page.locator('#sa-table thead th', { hasText: 'Status' }).locator('button').click();
    expect(await rows().first().locator('td.status').textContent()).toBe('banned');
    await page.locator('#sa-table thead th', { hasText: 'Status' }).locator('button').click();
    expect(await rows().first().locator('td.status').textContent()).toBe('active');
    await page.locator('#sa-table thead th', { hasText: 'Account' }).locator('button').click();
  });

  it('sums up the pool: usable now, capacity left, next reset, how long it lasts', async () => {
    const { page } = view;
    const p = accounts.pool;
    expect(await page.locator('#pool-usable').textContent()).toBe(`${p.usableNow} of 1000`);
    expect(await page.locator('#pool-usable-sub').textContent()).toBe(`${p.exhausted} exhausted · ${p.banned} banned`);
    expect(await page.locator('#pool-left').textContent()).toMatch(/ TiB$/);
    expect(await page.locator('#pool-reset').textContent()).toMatch(/^in \d+ min \d+ s$/);
    // How long it lasts: the capacity left at live.json's rate, worked out in the page.
    expect(await page.locator('#pool-lasts').textContent()).toMatch(/^\d+ (d|h|min)/);
    expect(await page.locator('#pool-lasts-sub').textContent()).toBe('at the current 80 MiB/s');
    expect(await page.locator('#pool-words').textContent()).toContain(`${p.usableNow} of 1000 service accounts usable now`);
    // The countdown ticks.
    const before = await page.locator('#pool-reset').textContent();
    await waitFor('the countdown to move', async () => (await page.locator('#pool-reset').textContent()) !== before, 5_000);
  });

  it('draws a sorted bar per account and the 48-hour throughput against the refill rate, each described in text', async () => {
    const { page } = view;
    await page.locator('#chart-usage svg .mark-rect path').nth(999).waitFor({ state: 'attached', timeout: 20_000 });
    expect(await page.locator('#chart-usage svg .mark-rect path').count()).toBe(1000);
    // The quota line.
    expect(await page.locator('#chart-usage svg .role-mark.mark-rule line').count()).toBe(1);
    // Most used first: bars' heights only go down from left to right.
    const heights = await page.locator('#chart-usage svg .mark-rect path').evaluateAll((ps) =>
      ps.map((p) => ({ x: (p as SVGGraphicsElement).getBBox().x, h: (p as SVGGraphicsElement).getBBox().height })).sort((a, b) => a.x - b.x).map((b) => b.h),
    );
    expect(heights.every((h, i) => i === 0 || h <= heights[i - 1]! + 0.01)).toBe(true);
    expect(await page.locator('#chart-usage-desc').textContent()).toMatch(/^Quota used per service account, most used first, .* 1000 accounts; \d+ at 90 % or more; the most used is \d+\.json with 760 GiB\.$/);
    expect(await page.locator('#chart-usage').getAttribute('aria-describedby')).toBe('chart-usage-desc');

    await page.locator('#chart-history svg .mark-area path').first().waitFor({ state: 'attached', timeout: 20_000 });
    expect(await page.locator('#chart-history svg .mark-area path').first().getAttribute('d')).toMatch(/^M[\d.]/);
    expect(await page.locator('#chart-history svg .role-mark.mark-rule line').count()).toBe(1);
    expect(await page.locator('#chart-history-desc').textContent()).toMatch(/1000 × 750 GiB per 24 h = \d+\.\d MiB\/s; above it the pool drains\. Uploaded in the last 24 h: [\d.]+ [GT]iB\.$/);
  }, 60_000);

  it('shows hostile account names as literal text, and nothing runs', async () => {
    const { page } = view;
    // The name is the file's base name; its full path, markup and all, is the name's tooltip.
    const evil = all().find((a) => a.path?.includes('onerror'))!;
    expect(evil.path).toBe(`/opt/sa/${EVIL_NAME}.json`);
    await search('onerror');
    expect(await rows().locator('th').allTextContents()).toEqual([evil.name]);
    expect(await rows().locator('th').getAttribute('title')).toBe(evil.path);
    expect(await page.locator('img').count()).toBe(0);
    expect(site.dialogs).toEqual([]);
    await search('');
  });

  it('updates in place when accounts.json changes: only the changed cells, no row rebuilt', async () => {
    const { page } = view;
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
      (document.querySelector('#chart-usage svg') as unknown as { same: boolean }).same = true;
      const mutated = new Set<string>();
      let rowsReplaced = 0;
      const tbody = document.querySelector('#sa-table tbody')!;
      new MutationObserver((records) => {
        for (const r of records) {
          if (r.target === tbody) rowsReplaced++;
          const cell = (r.target instanceof Element ? r.target : r.target.parentElement)?.closest('td, th');
          // Countdowns tick every second on their own: they are not what this looks at.
          if (cell && !cell.classList.contains('reset')) mutated.add(cell.closest('tr')!.querySelector('th')!.textContent!);
        }
      }).observe(tbody, { subtree: true, childList: true, characterData: true, attributes: true });
      Object.assign(window, { mutated, rowsReplaced: () => rowsReplaced });
    });
    const next = structuredClone(accounts);
    const a3 = next.uploaders[0]!.accounts.find((a) => a.name === '3.json')!;
    Object.assign(a3, { usedBytes: 800 * GiB, remainingBytes: 0, percent: 106.7, status: 'exhausted' });
    next.pool.usableNow--;
    next.pool.exhausted++;
    next.uploaders[0]!.pool = { ...next.pool };
    site.update('accounts', next);

    const row3 = rows().filter({ has: page.locator('th', { hasText: /^3\.json$/ }) });
    await waitFor('3.json to show exhausted', async () => (await row3.locator('td.status').textContent()) === 'exhausted', 20_000);
    expect(await row3.locator('td.usage .meta').textContent()).toBe('800 GiB of 750 GiB · 107 %');
    expect(await page.evaluate(() => [...(window as unknown as { mutated: Set<string> }).mutated])).toEqual(['3.json']);
    expect(await page.evaluate(() => (window as unknown as { rowsReplaced: () => number }).rowsReplaced())).toBe(0);
    expect(await page.locator('#pool-usable').textContent()).toBe(`${next.pool.usableNow} of 1000`);
    await waitFor('the bar to turn', async () => (await page.locator('#chart-usage svg .mark-rect path').count()) === 1000, 5_000);
    expect(await page.locator('#chart-usage svg').evaluate((e) => (e as unknown as { same?: boolean }).same)).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    accounts = next;
  }, 60_000);

  it('lets the reader choose an uploader once there are several', async () => {
    const { page } = view;
    const next = structuredClone(accounts);
    const backup: Uploader = {
      ...structuredClone(next.uploaders[0]!),
      name: 'backup',
      accounts: next.uploaders[0]!.accounts.slice(0, 3).map((a) => ({ ...a, status: 'available' as const })),
      pool: { ...next.pool, accounts: 3, usableNow: 3, exhausted: 0, banned: 0 },
    };
    next.uploaders.push(backup);
    site.update('accounts', next);
    await page.locator('#sa-uploader-label').waitFor({ state: 'visible', timeout: 20_000 });
    await page.locator('#sa-uploader').selectOption('backup');
    expect(await rows().count()).toBe(3);
    expect(await rows().locator('td:first-child').allTextContents()).toEqual(['backup', 'backup', 'backup']);
    expect(await page.locator('#pool-usable').textContent()).toBe('3 of 3');
    await waitFor('three bars', async () => (await page.locator('#chart-usage svg .mark-rect path').count()) === 3, 10_000);
    await page.locator('#sa-uploader').selectOption('');
    expect(await page.locator('#sa-table-status').textContent()).toBe('Showing 1–50 of 1003 service accounts.');
    // The chart grows back from 3 bars to every account, still sorted: the rows written
    // into the view's kept tuples, not stale ones.
    await waitFor('every bar back', async () => (await page.locator('#chart-usage svg .mark-rect path').count()) === 1003, 10_000);
    const heights = await page.locator('#chart-usage svg .mark-rect path').evaluateAll((ps) =>
      ps.map((p) => ({ x: (p as SVGGraphicsElement).getBBox().x, h: (p as SVGGraphicsElement).getBBox().height })).sort((a, b) => a.x - b.x).map((b) => b.h),
    );
    expect(heights.every((h, i) => i === 0 || h <= heights[i - 1]! + 0.01)).toBe(true);
    expect(await page.locator('#chart-usage-desc').textContent()).toMatch(/ 1003 accounts; /);
  }, 60_000);

  it('reads at phone width in dark mode, and ran clean under the CSP', async () => {
    await view.page.screenshot({ path: path.join(artifacts, 'accounts.png'), fullPage: true });
    const phone = await site.open('accounts/', { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    await phone.page.locator('#chart-usage svg .mark-rect path').first().waitFor({ state: 'attached', timeout: 20_000 });
    await phone.page.locator('#sa-table tbody tr').nth(10).waitFor({ timeout: 20_000 });
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.page.screenshot({ path: path.join(artifacts, 'accounts-phone-dark.png') });
    expectCleanPage(phone);
    await phone.page.close();
    expectCleanPage(view);
  }, 60_000);

  it('loads under 300 KB gzipped, Vega included', () => {
    const total = firstLoadFiles(site.out, 'accounts/index.html').reduce((n, f) => n + gzipSync(readFileSync(f)).length, 0);
    expect(total).toBeLessThan(300 * 1024);
  });
});
