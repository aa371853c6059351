import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Live, Transfer, Transfers } from '../../sidecar/contract/index.js';
import { expectCleanPage, type WatchedPage } from '../helpers/browser.js';
import { waitFor } from '../helpers/ports.js';
import { EVIL_NAME, sampleData } from '../helpers/sampleOutput.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { SitePage, artifacts, firstLoadFiles } from '../helpers/sitePage.js';

const FORMULA = '=HYPERLINK("http://x","y")';
const FORMULA_ERROR = "=cmd|' /C calc'!A0";
const ZONE = 'America/New_York';

const site = new SitePage();
let view: WatchedPage;
let data: Record<string, unknown>;

const parseCsv = (csv: string) =>
  JSON.parse(execFileSync('python3', ['-c', 'import csv,io,json,sys; print(json.dumps(list(csv.DictReader(io.StringIO(sys.stdin.read(), newline="")))))'], { input: csv, encoding: 'utf8' })) as Array<Record<string, string>>;

beforeAll(async () => {
  // 120 finished (9 failed, one named like HTML) and 2 in flight: 122 rows, 3 pages of 50.
  data = sampleData({ transfers: 120, inFlight: 2 });
  const transfers = data.transfers as Transfers;
  const t7 = transfers.transfers[7]!;
  Object.assign(t7, { name: FORMULA, ok: false, error: FORMULA_ERROR });
  transfers.failed++;
  Object.assign(transfers.transfers[8]!, { checked: true });
  await site.start(data, { timezoneId: ZONE, locale: 'en-US' });
  expectValidOutput(site.out, ['index', 'live', 'transfers']);
  view = await site.open('transfers/');
  await view.page.locator('#tr-table tbody tr').nth(49).waitFor({ timeout: 30_000 });
}, 120_000);

afterAll(() => site.stop());

const rows = () => view.page.locator('#tr-table tbody tr');
const choose = (label: RegExp) => view.page.locator('#tr-state label.choice', { hasText: label }).locator('input').check();
const search = (text: string) => view.page.locator('#tr-search').fill(text);

describe('the transfers page', () => {
  it('lists in-flight and finished transfers in a real table, 50 a page', async () => {
    const { page } = view;
    expect(await page.locator('#tr-table thead th[scope=col]').allTextContents()).toEqual(['State', 'File', 'Size', 'Finished ▼', 'Took', 'Speed', 'Account']);
    expect(await page.locator('#tr-table thead th[aria-sort=descending]').textContent()).toBe('Finished ▼');
    expect(await rows().count()).toBe(50);
    expect(await page.locator('#tr-status').textContent()).toBe('Showing 1–50 of 122 transfers.');
    // In flight first (newest), each with a progress bar, then finished, newest first.
    expect(await rows().nth(0).locator('td.state').textContent()).toBe('in flight');
    expect(await page.getByRole('progressbar', { name: 'Progress of TV/Show.S01E01.mkv' }).evaluate((e) => (e as HTMLProgressElement).value)).toBe(50);
    expect(await rows().nth(2).locator('th[scope=row] button.open').textContent()).toBe('Movies/Film 0 (2023)/Film.0.2160p.mkv');
    // Times in the viewer's zone, with how long ago.
    const completed = (data.transfers as Transfers).transfers[0]!.completedAt;
    const local = new Date(completed).toLocaleTimeString('en-US', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit' });
    expect(await rows().nth(2).locator('td.when').textContent()).toMatch(new RegExp(`^${local} · (just now|\\d+ s ago)$`));

    await page.getByRole('button', { name: 'Next →' }).click();
    expect(await page.locator('#tr-pager .where').textContent()).toBe('Page 2 of 3');
    expect(await page.locator('#tr-status').textContent()).toBe('Showing 51–100 of 122 transfers.');
    await page.getByRole('button', { name: 'Next →' }).click();
    expect(await rows().count()).toBe(22);
    expect(await page.getByRole('button', { name: 'Next →' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '← Previous' }).click();
    expect(await page.locator('#tr-pager .where').textContent()).toBe('Page 2 of 3');
  });

  it("shows a file's current rate with its average, where it goes, a stalled file's since-when, and a server-side move as such", async () => {
    const { page } = view;
    const live = data.live as Live;
    const [evil, stalled] = live.instances[0]!.transferring;
    await search('onerror');
    const moving = rows().filter({ has: page.locator('td.state', { hasText: 'in flight' }) });
    expect(await moving.count()).toBe(1);
    // rclone's per-file speedAvg (45 MiB/s) is the current rate; its speed (30 MiB/s) the average since the first byte.
    expect(evil!.speedAvg).toBe(45 * 1024 ** 2);
    expect(await moving.locator('td.speed .now').textContent()).toBe('45 MiB/s now');
    expect(await moving.locator('td.speed .meta').textContent()).toBe('avg 30 MiB/s');
    expect(await moving.locator('th .dest').textContent()).toBe('→ gdrive:Media');
    expect(await moving.locator('td.when .meta').textContent()).toBe('50 % · ETA 30 s');

    // Stalled: since when, in the viewer's zone, and for how long; no ETA.
    await search('S01E01');
    const since = new Date(stalled!.stalledSince!).toLocaleTimeString('en-US', { timeZone: ZONE, hour: '2-digit', minute: '2-digit' });
    const meta = (await rows().first().locator('td.when .meta').textContent()) ?? '';
    // With its date only when that is not today where the viewer is (3 min ago may be yesterday).
    expect(meta).toMatch(new RegExp(`^50 % · stalled since (\\d+/\\d+/\\d{4} )?${since} \\(for 3 min( \\d+ s)?\\)$`));
    expect(meta).not.toMatch(/ETA|undefined|NaN/);
    expect(await rows().first().locator('td.speed .now').textContent()).toBe('0 B/s now');

    // Moved on the remote: nothing uploaded, so "moved on the remote" rather than a 0 B/s upload.
    await search('Film.4.2160p');
    expect(await rows().count()).toBe(1);
    expect(await rows().first().locator('td.speed').textContent()).toBe('moved on the remote');
    expect(await rows().first().locator('td.num').first().textContent()).not.toBe('0 B');
    await search('Film.5.2160p');
    expect(await rows().first().locator('td.speed').textContent()).toMatch(/^[\d.]+ MiB\/s$/);
    await search('');
  });

  it('filters by state, with a count on each choice', async () => {
    const { page } = view;
    expect(await page.locator('#tr-state label.choice').allTextContents()).toEqual([' All (122)', ' in flight (2)', ' ok (109)', ' failed (10)', ' checked (1)']);
    await choose(/failed/);
    expect(await rows().count()).toBe(10);
    expect(await page.locator('#tr-pager').isHidden()).toBe(true);
    expect(await page.locator('#tr-status').textContent()).toBe('10 matching of 122 transfers.');
    for (const state of await rows().locator('td.state').allTextContents()) expect(state).toBe('failed');
    await choose(/in flight/);
    expect(await rows().count()).toBe(2);
    await choose(/checked/);
    expect(await rows().count()).toBe(1);
    expect(await rows().first().locator('th button.open').textContent()).toBe('Movies/Film 8 (2023)/Film.8.2160p.mkv');
    await choose(/All/);
    expect(await rows().count()).toBe(50);
  });

  it('searches names and errors, and the counts follow the search', async () => {
    const { page } = view;
    await search('film.11.');
    expect(await rows().count()).toBe(1);
    expect(await rows().first().locator('th button.open').textContent()).toBe('Movies/Film 11 (2023)/Film.11.2160p.mkv');
    await search('rate limit');
    expect(await rows().count()).toBe(9);
    expect(await page.locator('#tr-state label.choice', { hasText: 'failed' }).textContent()).toBe(' failed (9)');
    await search('no such file anywhere');
    expect(await rows().count()).toBe(0);
    expect(await page.locator('#tr-status').textContent()).toBe('No transfers match (of 122).');
    await search('');
    expect(await rows().count()).toBe(50);
  });

  it('sorts by a column, both ways, from the keyboard too', async () => {
    const { page } = view;
    const sizeHeader = page.locator('#tr-table thead th', { hasText: 'Size' });
    await sizeHeader.locator('button').click();
    expect(await sizeHeader.getAttribute('aria-sort')).toBe('descending');
    expect(await page.locator('#tr-table thead th[aria-sort]').count()).toBe(1);
    const sizes = async () => (await rows().locator('td:nth-child(3)').allTextContents()).slice(0, 3);
    expect(await sizes()).toEqual(['4.7 GiB', '4.7 GiB', '4.7 GiB']);
    await sizeHeader.locator('button').focus();
    await page.keyboard.press('Enter');
    expect(await sizeHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(await sizes()).toEqual(['700 MiB', '700 MiB', '700 MiB']);
    // Text sorts A to Z first, numerically: Film 2 before Film 10.
    await page.locator('#tr-table thead th', { hasText: 'File' }).locator('button').click();
    const names = await rows().locator('button.open').allTextContents();
    expect(names.indexOf('Movies/Film 2 (2023)/Film.2.2160p.mkv')).toBeLessThan(names.indexOf('Movies/Film 10 (2023)/Film.10.2160p.mkv'));
    expect(names[0]).toBe(FORMULA);
    // Back to newest first for the tests after this one.
    await page.locator('#tr-table thead th', { hasText: 'Finished' }).locator('button').click();
    expect(await page.locator('#tr-table thead th', { hasText: 'Finished' }).getAttribute('aria-sort')).toBe('descending');
  });

  it('opens the whole record with its error in a dialog, from the keyboard, and closes with Escape', async () => {
    const { page } = view;
    await choose(/failed/);
    const row = rows().filter({ hasText: 'HYPERLINK' });
    const first = row.locator('button.open');
    expect(await first.textContent()).toBe(FORMULA);
    expect(await row.locator('.error').textContent()).toBe(FORMULA_ERROR);
    await first.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: FORMULA });
    await dialog.waitFor();
    expect(await page.locator('#tr-detail-error-text').textContent()).toBe(FORMULA_ERROR);
    expect(await page.locator('#tr-detail-error').isVisible()).toBe(true);
    const fields = await page.locator('#tr-detail-fields dt').allTextContents();
    expect(fields).toEqual(expect.arrayContaining(['id', 'name', 'size', 'startedAt', 'completedAt', 'avgSpeed', 'serviceAccount', 'uploader', 'error']));
    expect(await page.locator('#tr-detail-fields dt:text-is("id") + dd').textContent()).toBe('t7');
    expect(await page.locator('#tr-detail-fields dt:text-is("size") + dd').textContent()).toBe('700 MiB (734,003,200 bytes)');
    expect(new URL(page.url()).hash).toBe('#t7');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await waitFor('the hash to clear', () => new URL(page.url()).hash === '', 5_000);
    // Focus goes back to the name that opened it.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(FORMULA);

    // A link with the transfer's id opens it.
    const linked = await site.open('transfers/#t18');
    await linked.page.getByRole('dialog', { name: 'Movies/Film 18 (2023)/Film.18.2160p.mkv' }).waitFor({ timeout: 20_000 });
    expect(await linked.page.locator('#tr-detail-error-text').textContent()).toContain('User rate limit exceeded');
    expectCleanPage(linked);
    await linked.page.close();
    await choose(/All/);
  }, 60_000);

  it('downloads a CSV of what is filtered, quoted, with formulas made inert', async () => {
    const { page } = view;
    await choose(/failed/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV of what is filtered' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^transfers-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const parsed = parseCsv(csv);
    expect(parsed).toHaveLength(10);
    expect(parsed.every((r) => r.ok === 'false' && r.state === 'failed')).toBe(true);
    const formula = parsed.find((r) => r.name?.includes('HYPERLINK'))!;
    expect(formula.name).toBe(`'${FORMULA}`);
    expect(formula.error).toBe(`'${FORMULA_ERROR}`);
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(Object.keys(parsed[0]!)).toEqual(['state', 'completed_at', 'started_at', 'name', 'size_bytes', 'bytes', 'duration_seconds', 'avg_bytes_per_second', 'ok', 'error', 'instance', 'uploader', 'service_account', 'destination', 'server_side']);

    // The hostile name, with its quote, comma-free formula and newline, survives a round trip.
    await choose(/All/);
    await search('onerror');
    expect(await rows().count()).toBe(2);
    const [again] = await Promise.all([page.waitForEvent('download'), page.locator('#tr-csv').click()]);
    const evil = parseCsv(readFileSync((await again.path())!, 'utf8'));
    expect(evil.map((r) => r.name)).toEqual([`Movies/${EVIL_NAME}`, `Movies/${EVIL_NAME}`]);
    expect(evil.map((r) => r.state)).toEqual(['in flight', 'ok']);
    expect(evil.map((r) => r.destination)).toEqual(['gdrive:Media', 'gdrive:Media']);
    // The in-flight row's average is the file's average since its first byte, not its current rate.
    expect(evil[0]!.avg_bytes_per_second).toBe(String(30 * 1024 ** 2));
    expect(evil.map((r) => r.server_side)).toEqual(['', '']);
    await search('');
  }, 60_000);

  it('shows hostile names as literal text, and nothing runs', async () => {
    const { page } = view;
    await search('onerror');
    expect(await rows().locator('button.open').allTextContents()).toEqual([`Movies/${EVIL_NAME}`, `Movies/${EVIL_NAME}`]);
    expect(await page.locator('img').count()).toBe(0);
    expect(site.dialogs).toEqual([]);
    await search('');
  });

  it('updates in place when live.json and transfers.json change', async () => {
    const { page } = view;
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
      (document.querySelector('#tr-table tbody tr:nth-child(3)') as unknown as { same: boolean }).same = true;
    });
    const live = structuredClone(data.live) as Live;
    const moving = live.instances[0]!.transferring[1]!;
    moving.percentage = 90;
    moving.bytes = Math.round(moving.size! * 0.9);
    live.instances[0]!.transferring.push({ ...moving, name: 'TV/New.Arrival.S02E01.mkv', percentage: 5 });
    live.total.inFlight = 3;
    site.update('live', live);
    await page.getByRole('progressbar', { name: 'Progress of TV/New.Arrival.S02E01.mkv' }).waitFor({ timeout: 20_000 });
    expect(await page.getByRole('progressbar', { name: 'Progress of TV/Show.S01E01.mkv' }).evaluate((e) => (e as HTMLProgressElement).value)).toBe(90);
    expect(await page.locator('#tr-status').textContent()).toBe('Showing 1–50 of 123 transfers.');
    await waitFor('the title to count 3 in flight', async () => (await page.title()) === '▲ 3 in flight · 10 failed — Transfers — plowboard', 5_000);

    // A new finished transfer arrives at the top of the finished ones.
    const transfers = structuredClone(data.transfers) as Transfers;
    const fresh: Transfer = { ...transfers.transfers[0]!, id: 'fresh', name: 'Movies/Just.Finished.mkv', completedAt: new Date().toISOString() };
    transfers.transfers.unshift(fresh);
    transfers.count++;
    site.update('transfers', transfers);
    await page.locator('#tr-table tbody th', { hasText: 'Movies/Just.Finished.mkv' }).waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // The row element of a transfer that was already there is the same element, moved down one.
    expect(await page.locator('#tr-table tbody tr', { hasText: 'Film.0.2160p' }).evaluate((e) => (e as unknown as { same?: boolean }).same)).toBe(true);
    expect(site.server.count('/data/transfers.json', 200)).toBe(2);
  }, 60_000);

  it('reads at phone width in dark mode, and ran clean under the CSP', async () => {
    await view.page.screenshot({ path: path.join(artifacts, 'transfers.png'), fullPage: true });
    const phone = await site.open('transfers/', { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    await phone.page.locator('#tr-table tbody tr').nth(10).waitFor({ timeout: 20_000 });
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.page.screenshot({ path: path.join(artifacts, 'transfers-phone-dark.png') });
    expectCleanPage(phone);
    await phone.page.close();
    expect(view.foreignRequests).toEqual([]);
    expectCleanPage(view);
  }, 60_000);

  it('loads under 300 KB gzipped, without Vega', () => {
    const files = firstLoadFiles(site.out, 'transfers/index.html');
    const script = readFileSync(files.find((f) => f.endsWith('.js'))!, 'utf8');
    expect(script).not.toContain('vega');
    const total = files.reduce((n, f) => n + gzipSync(readFileSync(f)).length, 0);
    expect(total).toBeLessThan(300 * 1024);
  });
});
