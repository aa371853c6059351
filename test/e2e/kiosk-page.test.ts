import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Health, Live } from '../../sidecar/contract/index.js';
import { expectCleanPage, type WatchedPage } from '../helpers/browser.js';
import { waitFor } from '../helpers/ports.js';
import { EVIL_NAME, sampleData } from '../helpers/sampleOutput.js';
import { repoRoot } from '../helpers/sidecarProcess.js';
import { SIDECAR_PACE, SitePage } from '../helpers/sitePage.js';

const MiB = 1024 * 1024;
const site = new SitePage();
let kiosk: WatchedPage;

beforeAll(async () => {
  await site.start(sampleData({ inFlight: 6 }), { locale: 'en-GB', ...SIDECAR_PACE });
  kiosk = await site.open('kiosk/', { viewport: { width: 1920, height: 1080 }, colorScheme: 'dark' });
}, 120_000);

afterAll(() => site.stop());

/** Bumps live.json's speed, so a test can see an update land. */
function writeSpeed(mib: number, instanceState: Live['instances'][number]['state'] = 'ok'): void {
  const live = site.read<Live>('live');
  live.total.speed = mib * MiB;
  for (const i of live.instances) i.state = instanceState;
  site.update('live', live);
}

describe('the kiosk at 1920×1080', () => {
  it('shows speed, session, pool, the top transfers and a chart on one screen that does not scroll', async () => {
    const { page } = kiosk;
    await page.locator('#k-chart svg .mark-area path').first().waitFor({ state: 'attached', timeout: 20_000 });
    await page.locator('#k-rows li:not([hidden])').first().waitFor();
    // live.json, session.json and accounts.json arrive in separate fetches: each field is awaited, not read once.
    await expect.poll(() => page.locator('#k-speed').textContent()).toBe('240 MiB/s');
    await expect.poll(() => page.locator('#k-uploader').textContent()).toBe('google');
    await expect.poll(() => page.locator('#k-sa').textContent()).toBe('SA 1 of 12');
    await expect.poll(() => page.locator('#k-eta').textContent()).toBe('ETA 1 h');
    await expect.poll(() => page.locator('#k-sas').textContent()).toBe('10 of 12');
    await expect.poll(() => page.locator('#k-sas-refused').textContent()).toBe('10 really usable · 10 with quota');
    await expect.poll(() => page.locator('#k-capacity').textContent()).toMatch(/^[\d.]+ TiB$/);
    await expect.poll(() => page.locator('#k-reset').textContent()).toMatch(/^next reset in \d+ min/);
    // Six in flight, four shown: the top few, no list growing off the screen.
    expect(await page.locator('#k-rows li:not([hidden])').count()).toBe(4);
    expect(await page.locator('#k-inflight-count').textContent()).toBe('(top 4 of 6)');
    expect(await page.locator('#k-chart-desc').textContent()).toMatch(/^Upload throughput over the last 10 min\. Now: default /);

    // Nothing scrolls, either way; the screen is dark.
    const size = await page.evaluate(() => ({ h: document.documentElement.scrollHeight, w: document.documentElement.scrollWidth, bh: document.body.scrollHeight, ih: innerHeight, iw: innerWidth }));
    expect(size.h).toBeLessThanOrEqual(size.ih);
    expect(size.bh).toBeLessThanOrEqual(size.ih);
    expect(size.w).toBeLessThanOrEqual(size.iw);
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(13, 17, 23)');
    // Readable from across a room.
    expect(await page.locator('#k-speed').evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(100);
    // The speed fits its cell rather than being cut off.
    expect(await page.locator('#k-speed').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);

    // A test artifact only: docs/kiosk.png is a screenshot of live data, kept by hand.
    await page.screenshot({ path: path.join(repoRoot, 'test', 'artifacts', 'kiosk.png') });
  }, 60_000);

  it('shows a file named like HTML as literal text', async () => {
    const { page } = kiosk;
    const evil = page.locator('#k-rows .k-file', { hasText: 'onerror' });
    // A newline in a name is collapsed to a space by the layout, never interpreted.
    expect(await evil.textContent()).toBe(`Movies/${EVIL_NAME}`);
    expect(await page.locator('img').count()).toBe(0);
    expect(site.dialogs).toEqual([]);
  });

  it('updates in place: the same rows, the same chart, no nodes piling up', async () => {
    const { page } = kiosk;
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
      (document.querySelector('#k-rows li') as unknown as { same: boolean }).same = true;
      (document.querySelector('#k-chart svg') as unknown as { same: boolean }).same = true;
    });
    const nodes = () => page.evaluate(() => document.getElementsByTagName('*').length);
    const before = await nodes();
    for (const mib of [111, 222, 333]) {
      writeSpeed(mib);
      await waitFor(`speed ${mib}`, async () => (await page.locator('#k-speed').textContent()) === `${mib} MiB/s`, 15_000);
    }
    expect(await nodes()).toBe(before);
    expect(await page.evaluate(() => (document.querySelector('#k-rows li') as unknown as { same?: boolean }).same)).toBe(true);
    expect(await page.evaluate(() => (document.querySelector('#k-chart svg') as unknown as { same?: boolean }).same)).toBe(true);
    expect(await page.locator('#k-chart svg').count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  }, 60_000);

  it('puts up a large banner when the heartbeat stops, and takes it down when it resumes', async () => {
    const { page } = kiosk;
    const banner = page.locator('#k-banner');
    expect(await banner.isHidden()).toBe(true);
    site.touch({ heartbeatMsAgo: 10 * 60_000 });
    // The page asks for a beat that is not yet due every half beat (15 s here): it sees this one within that and a poll.
    await banner.waitFor({ state: 'visible', timeout: 45_000 });
    expect(await banner.textContent()).toMatch(/^Data is stale — no update since .+ \(10 min( \d+ s)? ago\)$/);
    expect(await banner.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(48);
    expect(await page.evaluate(() => document.documentElement.scrollHeight <= innerHeight)).toBe(true);
    await page.screenshot({ path: path.join(repoRoot, 'test', 'artifacts', 'kiosk-stale.png') });
    site.touch();
    await banner.waitFor({ state: 'hidden', timeout: 45_000 });
  }, 120_000);

  it('says when rclone is idle', async () => {
    const { page } = kiosk;
    writeSpeed(0, 'idle');
    await page.locator('#k-banner', { hasText: 'rclone is idle — nothing is uploading' }).waitFor({ timeout: 15_000 });
    writeSpeed(50, 'ok');
    await page.locator('#k-banner').waitFor({ state: 'hidden', timeout: 15_000 });
  }, 60_000);

  it('says in words that nothing was uploaded in the window, instead of a flat line alone, and still fits the screen', async () => {
    const { page } = kiosk;
    const busy = site.read<Live>('live');
    const quiet: Live = structuredClone(busy);
    quiet.throughput.points = quiet.throughput.points.map((p) => ({ ...p, bytesPerSecond: 0 }));
    quiet.total.speed = 0;
    for (const i of quiet.instances) i.speed = 0;
    site.update('live', quiet);
    await page.locator('#k-chart-quiet', { hasText: 'Nothing uploaded in the last 10 min.' }).waitFor({ state: 'visible', timeout: 15_000 });
    expect(await page.evaluate(() => document.documentElement.scrollHeight <= innerHeight)).toBe(true);
    site.update('live', busy);
    await page.locator('#k-chart-quiet').waitFor({ state: 'hidden', timeout: 15_000 });
  }, 60_000);

  it('reloads itself when the site is rebuilt into something new, and not on a data tick', async () => {
    const { page } = kiosk;
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const reloaded = () => page.evaluate(() => !(window as unknown as { notReloaded?: boolean }).notReloaded);
    // health.json changing without a rebuild: no reload.
    const ownPage = () => site.server.log.filter((r) => r.path === '/kiosk/').length;
    const before = ownPage();
    const health = site.read<Health>('health');
    const siteSource = { id: 'site:build', kind: 'site', name: 'site build', target: site.out, state: 'ok' as const, since: null, lastCheckedAt: null, latencyMs: 900, lastError: null, hint: null };
    site.update('health', { ...health, sources: [...health.sources, { ...siteSource, lastOkAt: new Date().toISOString() }] });
    // The page asked for its own HTML again, found it unchanged, and stayed.
    await waitFor('the kiosk to check its own page', () => ownPage() > before, 15_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(await reloaded()).toBe(false);

    // A new version of the site, and health.json saying it was built.
    await site.rebuild({ version: '0.1.1' });
    site.update('health', { ...health, sources: [...health.sources, { ...siteSource, lastOkAt: new Date(Date.now() + 1000).toISOString() }] });
    await waitFor('the kiosk to reload', reloaded, 20_000);
    await page.waitForFunction(() => document.body.dataset.version === '0.1.1', undefined, { timeout: 15_000 });
    await page.locator('#k-chart svg .mark-area path').first().waitFor({ state: 'attached', timeout: 20_000 });
    expectCleanPage(kiosk);
  }, 90_000);

  it('says the sidecar is gone when the server stops answering', async () => {
    const { page } = kiosk;
    await site.server.stop();
    // The last answer's time is on the banner; the reason is plain.
    const banner = page.locator('#k-banner');
    await waitFor('the sidecar-gone banner', async () => /^Sidecar gone — no answer from the server since /.test((await banner.textContent()) ?? ''), 20_000);
    expect(await banner.isVisible()).toBe(true);
    expectCleanPage(kiosk, [/Failed to load resource|ERR_CONNECTION_REFUSED/]);
  }, 60_000);
});
