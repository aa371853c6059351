import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Live, LiveInstance, Transfers } from '../../sidecar/contract/index.js';
import { expectCleanPage, type WatchedPage } from '../helpers/browser.js';
import { EVIL_NAME, SERVER_SIDE_ID, sampleData } from '../helpers/sampleOutput.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { SitePage } from '../helpers/sitePage.js';

/**
 * What rclone's newer fields look like on the overview and the kiosk: the current rate
 * against the file's average, stalled files, scanning, queued/moved counts, the upload
 * average, counter restarts, destinations, server-side moves; and, with all of them
 * absent (rclone 1.60), pages that say nothing of them rather than "undefined" or a 0.
 */
const MiB = 1024 ** 2;
const ZONE = 'Europe/Berlin';
const site = new SitePage();
let data: Record<string, unknown>;
let overview: WatchedPage;
let kiosk: WatchedPage;
const restartedAt = new Date(Date.now() - 20 * 60_000).toISOString();

/** The sample's live.json with rclone 1.73+'s extras on its one instance. */
function newerLive(): Live {
  const live = structuredClone(data.live) as Live;
  const extras = { queued: 5, queuedExact: false, uploadSpeedAvg: 80 * MiB, countersRestarted: { at: restartedAt, reason: 'restart' as const } };
  Object.assign(live.total, { queued: 5, queuedExact: false });
  Object.assign(live.instances[0]!, extras);
  return live;
}

function scanningLive(listed: number | undefined): Live {
  const live = structuredClone(data.live) as Live;
  const counters = { speed: 0, bytes: 0, totalBytes: 0, eta: null, transfers: 0, totalTransfers: 0, inFlight: 0, queued: 0, moved: 0, removedFromSource: 0 };
  Object.assign(live.total, counters);
  const i = live.instances[0]!;
  Object.assign(i, counters, { phase: 'scanning', transferring: [], ...(listed === undefined ? {} : { listed }) });
  return live;
}

/** What rclone 1.60 gives: none of the optional fields, a copy that moves nothing, a queue it cannot count. */
function oldLive(): Live {
  const live = structuredClone(data.live) as Live;
  const strip = (i: Partial<LiveInstance>) => {
    for (const k of ['listed', 'uploadSpeedAvg', 'serverSideMoves', 'serverSideCopies', 'countersRestarted'] as const) delete i[k];
    Object.assign(i, { moved: 0, removedFromSource: 0, queued: 0, queuedExact: false });
  };
  strip(live.total as Partial<LiveInstance>);
  for (const i of live.instances) {
    strip(i);
    for (const t of i.transferring) {
      delete t.dstFs;
      delete t.stalledSince;
      t.eta ??= 40;
    }
  }
  return live;
}

function oldTransfers(): Transfers {
  const tr = structuredClone(data.transfers) as Transfers;
  for (const t of tr.transfers) {
    delete t.dstFs;
    delete t.serverSide;
  }
  return tr;
}

beforeAll(async () => {
  data = sampleData({ inFlight: 2 });
  data.live = newerLive();
  await site.start(data, { timezoneId: ZONE, locale: 'en-GB' });
  expectValidOutput(site.out, ['index', 'live', 'transfers']);
  overview = await site.open('');
  kiosk = await site.open('kiosk/', { viewport: { width: 1920, height: 1080 }, colorScheme: 'dark' });
}, 120_000);

afterAll(() => site.stop());

const localTime = (iso: string) => new Date(iso).toLocaleTimeString('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit' });
const stalledSince = () => (data.live as Live).instances[0]!.transferring[1]!.stalledSince!;

describe('the overview with rclone 1.73+ data', () => {
  it("shows each file's current rate, labelled, with its average, and where it goes", async () => {
    const { page } = overview;
    const evil = page.locator('#inflight li', { hasText: 'onerror' });
    await evil.waitFor({ timeout: 20_000 });
    // speedAvg 45 MiB/s is the current rate; speed 30 MiB/s the average since the first byte.
    expect(await evil.locator('.meta').textContent()).toBe('50 % · 1 GiB of 2 GiB · 45 MiB/s now · avg 30 MiB/s · ETA 30 s');
    expect(await evil.locator('.dest').textContent()).toBe('→ gdrive:Media');
    expect(await evil.locator('.file').textContent()).toBe(`Movies/${EVIL_NAME}`);
  }, 60_000);

  it('says since when a stalled file has had no byte, in the viewer\'s zone, instead of an ETA', async () => {
    const meta = (await overview.page.locator('#inflight li', { hasText: 'S01E01' }).locator('.meta').textContent()) ?? '';
    expect(meta).toMatch(new RegExp(`· 0 B/s now · avg 34 MiB/s · stalled since (\\d+/\\d+/\\d{4} )?${localTime(stalledSince())} \\(for 3 min( \\d+ s)?\\)$`));
    expect(meta).not.toContain('ETA');
  });

  it('shows the queue as a lower bound, files moved and removed, the upload average and the restart', async () => {
    const { page } = overview;
    await expect.poll(() => page.locator('#stat-queued').textContent()).toBe('≥ 5 queued');
    expect(await page.locator('#stat-queued').getAttribute('title')).toMatch(/rclone before 1\.73\.1 leaves the queue out of its total/);
    expect(await page.locator('#stat-moved').textContent()).toBe('moved 3 · removed from local 3');
    expect(await page.locator('#stat-speed-avg').textContent()).toBe('average while uploading 80 MiB/s');
    expect(await page.locator('#stat-restarted').textContent()).toBe(`rclone restarted at ${localTime(restartedAt)}`);
  });

  it('calls a server-side move "moved on the remote", not a 0 B/s upload', async () => {
    const { page } = overview;
    const name = (data.transfers as Transfers).transfers.find((t) => t.id === SERVER_SIDE_ID)!.name;
    const row = page.locator('#finished tr', { hasText: name });
    expect(await row.locator('td[data-label="Speed"]').textContent()).toBe('moved on the remote');
    expect(await page.locator('#finished tr', { hasText: 'Film.5.2160p' }).locator('td[data-label="Speed"]').textContent()).toMatch(/^[\d.]+ MiB\/s$/);
  });

  it('says rclone is scanning the source, with how many entries it has listed, instead of looking idle', async () => {
    const { page } = overview;
    site.update('live', scanningLive(1234));
    const scanning = page.locator('#inflight-scanning');
    await scanning.waitFor({ state: 'visible', timeout: 20_000 });
    expect(await scanning.textContent()).toBe('Scanning the source — 1,234 entries listed.');
    expect(await page.locator('#inflight-empty').isHidden()).toBe(true);
    expect(await page.locator('#stat-eta-sub').textContent()).toBe('scanning the source');
    // Without `listed` (rclone before 1.70) it still says what it is doing.
    site.update('live', scanningLive(undefined));
    await expect.poll(() => scanning.textContent(), { timeout: 20_000 }).toBe('Scanning the source.');
  }, 60_000);
});

describe('the kiosk with rclone 1.73+ data', () => {
  it('ranks its rows by the current rate and shows it, labelled', async () => {
    const { page } = kiosk;
    // Six in flight: the averages rise down the list while the current rates fall, so ranking by the average shows other files.
    const six = sampleData({ inFlight: 6 }).live as Live;
    site.update('live', six);
    await expect.poll(() => page.locator('#k-inflight-count').textContent(), { timeout: 20_000 }).toBe('(top 4 of 6)');
    const names = await page.locator('#k-rows li:not([hidden]) .k-file').allTextContents();
    expect(names).toEqual([`Movies/${EVIL_NAME}`, 'TV/Show.S01E01.mkv', 'TV/Show.S01E02.mkv', 'TV/Show.S01E03.mkv']);
    expect(await page.locator('#k-rows li .k-meta').first().textContent()).toBe('50 % · 45 MiB/s now · ETA 30 s');
  }, 60_000);

  it('shows a stalled file as stalled, and scanning as scanning', async () => {
    const { page } = kiosk;
    site.update('live', newerLive());
    const stalled = page.locator('#k-rows li:not([hidden])', { hasText: 'S01E01' }).locator('.k-meta');
    await expect.poll(() => stalled.textContent(), { timeout: 20_000 }).toMatch(new RegExp(`^50 % · 0 B/s now · stalled since (\\d+/\\d+/\\d{4} )?${localTime(stalledSince())} \\(for 3 min( \\d+ s)?\\)$`));

    site.update('live', scanningLive(1234));
    const empty = page.locator('#k-inflight-empty');
    await expect.poll(() => empty.textContent(), { timeout: 20_000 }).toBe('Scanning the source — 1,234 entries listed.');
    expect(await empty.isVisible()).toBe(true);
    expect(await page.locator('#k-rows li:not([hidden])').count()).toBe(0);
    // The big figure does not say "idle" while rclone works through the listing, and still fits its cell.
    expect(await page.locator('#k-speed').textContent()).toBe('scanning');
    expect(await page.locator('#k-speed').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  }, 60_000);

  it('tells an RC that wants a user apart from a refused password', async () => {
    const { page } = kiosk;
    const live = structuredClone(data.live) as Live;
    live.instances[0]!.state = 'auth_required';
    site.update('live', live);
    const banner = page.locator('#k-banner');
    await expect.poll(() => banner.textContent(), { timeout: 20_000 }).toBe('rclone needs an RC user — see the health page');
    live.instances[0]!.state = 'auth_failed';
    site.update('live', live);
    await expect.poll(() => banner.textContent(), { timeout: 20_000 }).toBe('rclone refused the password');
    site.update('live', newerLive());
    await banner.waitFor({ state: 'hidden', timeout: 20_000 });
  }, 60_000);
});

describe('the same pages with rclone 1.60 data', () => {
  it('look as they did: no destination, no stall, no moved or queued line, no upload average, nothing undefined', async () => {
    site.update('live', oldLive());
    site.update('transfers', oldTransfers());
    // Fresh pages: a finished transfer's row is drawn once, as records do not change.
    const old = await site.open('');
    const oldKiosk = await site.open('kiosk/', { viewport: { width: 1920, height: 1080 } });
    const { page } = old;
    await page.locator('#inflight li').nth(1).waitFor({ timeout: 20_000 });
    await page.locator('#finished tr').first().waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('#stat-transfers').textContent()).not.toBe('—');
    for (const id of ['stat-queued', 'stat-moved', 'stat-speed-avg', 'stat-restarted']) expect(await page.locator(`#${id}`).textContent()).toBe('');
    expect(await page.locator('#stat-queued').isHidden()).toBe(true);
    expect(await page.locator('#inflight .dest').allTextContents()).toEqual(['', '']);
    expect(await page.locator('#inflight .meta').allTextContents()).toEqual([
      '50 % · 1 GiB of 2 GiB · 45 MiB/s now · avg 30 MiB/s · ETA 30 s',
      '50 % · 1.2 GiB of 3 GiB · 0 B/s now · avg 34 MiB/s · ETA 40 s',
    ]);
    expect(await page.locator('#finished td[data-label="Speed"]', { hasText: 'moved on the remote' }).count()).toBe(0);
    await oldKiosk.page.locator('#k-rows li:not([hidden])').nth(1).waitFor({ timeout: 20_000 });

    for (const view of [old, oldKiosk]) {
      const text = await view.page.locator('body').innerText();
      expect(text).not.toMatch(/undefined|NaN|null|\[object/);
      expect(text).not.toMatch(/Scanning|stalled|≥|moved \d|average while uploading|restarted|→/);
      expectCleanPage(view);
      await view.page.close();
    }
  }, 60_000);

  it('ran with no console error and nothing from another host', () => {
    expectCleanPage(overview);
    expectCleanPage(kiosk);
    expect(site.dialogs).toEqual([]);
  });
});
