import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Accounts } from '../../sidecar/contract/index.js';
import type { Refusal } from '../../sidecar/normalize/saRefusals.js';
import { RefusalStore } from '../../sidecar/state/refusalStore.js';
import { expectCleanPage, type WatchedPage } from '../helpers/browser.js';
import { sampleData } from '../helpers/sampleOutput.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { SitePage } from '../helpers/sitePage.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const site = new SitePage();
let view: WatchedPage;
let accounts: Accounts;
const now = Date.now();
const today = new Date(now).toISOString().slice(0, 10);
const fiveDaysAgo = new Date(now - 5 * DAY).toISOString().slice(0, 10);

beforeAll(async () => {
  // The sidecar's own store: 5.json refused 14 times today, 7.json twice five days ago and banned once.
  const store = new RefusalStore();
  const refusal = (account: string, atMs: number, kind: Refusal['kind'], i: number): Refusal => ({
    atMs,
    uploader: 'google',
    account,
    kind,
    line: `ERROR : Movies/${i}.mkv: Failed to copy: googleapi: Error 403: User rate limit exceeded`,
    id: `${account}-${i}`,
  });
  // Within today's UTC day, whatever the hour the test runs at.
  const base = Math.max(now - HOUR, Date.parse(`${today}T00:00:00Z`));
  for (let i = 0; i < 14; i++) store.add(refusal('5.json', base + i * 1000, 'rate_limit', i), now);
  store.add(refusal('7.json', now - 5 * DAY, 'rate_limit', 100), now);
  store.add(refusal('7.json', now - 5 * DAY + 1000, 'rate_limit', 101), now);
  store.add(refusal('7.json', now - 5 * DAY + 2000, 'ban', 102), now);
  const data = sampleData({ now, accounts: 12, refusals: store.current(now) });
  accounts = data.accounts as Accounts;
  await site.start(data, { timezoneId: 'UTC', locale: 'en-GB' });
  expectValidOutput(site.out, ['accounts']);
  view = await site.open('accounts/');
}, 120_000);

afterAll(() => site.stop());

describe('refusals on the accounts page', () => {
  it('draws the SA × day heatmap of the last 30 days with the refused cells, described in text', async () => {
    const { page } = view;
    const cell = page.locator(`#chart-refusals svg path[aria-label="5.json on ${today}: 14 rate-limit answers"]`);
    await cell.waitFor({ state: 'attached', timeout: 30_000 });
    // Two refused SAs, thirty days each; the quiet days are drawn too, in the muted colour.
    expect(await page.locator('#chart-refusals svg .mark-rect path[aria-label]').count()).toBe(60);
    const quiet = page.locator(`#chart-refusals svg path[aria-label="5.json on ${fiveDaysAgo}: no refusal"]`);
    expect(await quiet.getAttribute('fill')).toBe('#8b949e33');
    expect(await cell.getAttribute('fill')).toMatch(/^rgb\(/);
    expect(await cell.getAttribute('fill')).not.toBe(await quiet.getAttribute('fill'));
    expect(await page.locator(`#chart-refusals svg path[aria-label="7.json on ${fiveDaysAgo}: 2 rate-limit answers, 1 ban"]`).count()).toBe(1);
    expect(await page.locator('#refusals-count').textContent()).toBe('(2)');
    expect(await page.locator('#refusals-empty').isHidden()).toBe(true);
    expect(await page.locator('#chart-refusals-desc').textContent()).toBe(`2 service accounts refused in the last 30 days; the most in a day: 5.json on ${today}: 14 rate-limit answers.`);
    expectCleanPage(view);
  }, 60_000);

  it('shows each SA’s health and refusal counts, and the really usable pool next to those with quota', async () => {
    const { page } = view;
    const row = (name: string) => page.locator('#sa-table tbody tr').filter({ has: page.locator('th', { hasText: new RegExp(`^${name.replace('.', '\\.')}$`) }) });
    await row('5.json').locator('td.health').waitFor();
    const five = accounts.uploaders[0]!.accounts.find((a) => a.name === '5.json')!;
    expect(five.health).toBe('refused');
    expect(await row('5.json').locator('td.health').textContent()).toMatch(/^[\d.]+ GiB left but refused by Google at \d\d:\d\d:\d\d \(14 rate-limit answers in 24 h\)$/);
    expect(await row('5.json').locator('td.health').getAttribute('data-health')).toBe('refused');
    expect(await row('5.json').locator('td.refused').textContent()).toBe('14 · 14 · 14');
    expect(await row('7.json').locator('td.refused').textContent()).toBe('0 · 3 · 3');
    expect(await row('7.json').locator('td.refused').getAttribute('title')).toMatch(/^2 rate-limit answers, 1 ban in 30 days; last at /);
    const p = accounts.pool;
    expect(p.refusedRecently).toBe(1);
    expect(p.usable).toBe(p.withQuota - 1);
    expect(await page.locator('#pool-refused').textContent()).toBe(`${p.usable} really usable · ${p.withQuota} with quota · 1 refused by Google in 24 h`);
  });

  it('says the same on the overview and the kiosk, where the pool figure is shown', async () => {
    const p = accounts.pool;
    const words = `${p.usable} really usable · ${p.withQuota} with quota · 1 refused by Google in 24 h`;
    const overview = await site.open('');
    await expect.poll(() => overview.page.locator('#stat-sas-refused').textContent(), { timeout: 30_000 }).toBe(words);
    const kiosk = await site.open('kiosk/', { viewport: { width: 1920, height: 1080 } });
    await expect.poll(() => kiosk.page.locator('#k-sas-refused').textContent(), { timeout: 30_000 }).toBe(words);
  }, 60_000);
});
