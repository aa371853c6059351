import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, expectCleanPage } from '../helpers/browser.js';
import { dumpJson, makeCloudplowFolder, writeBans, writeLog, type CloudplowFolder } from '../helpers/cloudplow.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';
import { SidecarProcess } from '../helpers/sidecarProcess.js';

const EVIL = '<img src=x onerror=alert(1)>';
const GiB = 1024 ** 3;
let work: string;
let cp: CloudplowFolder;
let rclone: RcloneDaemon;
let sidecar: SidecarProcess;
let browser: TestBrowser;
let base: string;

/** Every page in the nav, and a word each must show once its data is in. */
const PAGES: Array<[path: string, shows: RegExp]> = [
  ['', /google/],
  ['transfers/', /done\.mkv/],
  ['accounts/', /12\.json/],
  ['queue/', /google/],
  ['history/', /./],
  ['logs/', /Starting upload/],
  ['events/', /session started/],
  ['health/', /cache\.db/],
  ['kiosk/', /google/],
];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-pages-'));
  cp = makeCloudplowFolder({ accounts: 12 });
  // A hostile SA file name: names from the disk are text, never markup.
  writeFileSync(path.join(cp.saDir, `${EVIL}.json`), '{}');
  const sa = (n: number) => path.join(cp.saDir, `${n}.json`);
  const now = Date.now() / 1000;
  dumpJson(path.join(cp.dir, 'sa_quota_cache.json'), { google: { [sa(1)]: { bytes: 700 * GiB, reset_time: now + 3600, first_upload: now - 3600 }, [sa(2)]: { bytes: 100 * GiB, reset_time: now + 7200, first_upload: now - 600 } } });
  dumpJson(path.join(cp.dir, 'dashboard_session_state.json'), { active: true, uploader: 'google', session_start_time: now - 30, current_sa: sa(2), sa_index: 1, total_sas: 13, sas_used: ['1.json', '2.json'], stage: 1, stage_params: { strategy: 'largest_first' } });
  dumpJson(path.join(cp.dir, 'learned_sizes_cache.json'), {
    google: { queue_distribution: { percentiles: { p50: GiB, p90: 4 * GiB }, size_buckets: { '1GB-10GB': { count: 10, total_bytes: 20 * GiB } }, statistics: { total_files: 10, total_bytes: 20 * GiB }, metadata: { sample_count: 10, last_updated: now - 60 } } },
  });
  writeBans(cp.cacheDb, 'sa_bans', { google: { [sa(3)]: now + 3600 } });
  writeLog(cp.log, [
    ['cloudplow', 'info', 'Starting upload'],
    ['uploader', 'info', `Using service account: ${sa(2)}`],
    ['process', 'info', `2026/11/23 10:00:00 INFO  : ${EVIL}.mkv: Copied (new)`],
  ]);
  mkdirSync(path.join(cp.dir, 'locks'));
  writeFileSync(path.join(cp.dir, 'locks', 'upload.lock'), '');

  rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  const port = await freePort();
  base = `http://127.0.0.1:${port}/`;
  sidecar = new SidecarProcess(['run', '--cloudplow-config', cp.config, '--rclone-url', rclone.url, '--output', path.join(work, 'out'), '--state-dir', path.join(work, 'state'), '--port', String(port), '--interval', '0.5'], {
    PLOWBOARD_RCLONE_USER: rclone.user,
    PLOWBOARD_RCLONE_PASS: rclone.pass,
  }).start();
  // The data goes out before the pages are built: wait for both.
  await waitFor('the server and the pages', async () => (await fetch(`${base}data/index.json`).catch(() => null))?.ok && (await fetch(base).catch(() => null))?.ok, 60_000);

  // One copy finished, and one still going while the pages are looked at.
  const src = path.join(work, 'src');
  makeFiles(src, [['done.mkv', 200_000], [`${EVIL}.mkv`, 200_000]]);
  await rclone.waitJob(await rclone.copy(src, path.join(work, 'dst')));
  makeFiles(path.join(work, 'slow'), [['slow.mkv', 30_000_000]]);
  await rclone.bwlimit('500k');
  await rclone.copy(path.join(work, 'slow'), path.join(work, 'dst'));
  browser = await new TestBrowser().launch();
});

afterAll(async () => {
  await browser?.close();
  await sidecar?.stop();
  await rclone?.stop();
  rmSync(work, { recursive: true, force: true });
  rmSync(cp.dir, { recursive: true, force: true });
});

describe('every page, against a sidecar reading a real rclone and real cloudplow files', () => {
  for (const [page, shows] of PAGES) {
    it(`/${page} shows its data, draws its charts, and stays clean`, async () => {
      const watched = await browser.open(`${base}${page}`, page === 'kiosk/' ? { viewport: { width: 1920, height: 1080 } } : {});
      const p = watched.page;
      await waitFor(`/${page} to show ${shows}`, async () => shows.test((await p.locator('body').innerText()) ?? ''), 20_000, 250);
      // Charts are drawn as Vega SVG, with a real size, wherever the page shows one.
      for (const chart of await p.locator('div.chart').all()) {
        if (!(await chart.isVisible())) continue;
        const svg = chart.locator('svg.marks').first();
        await svg.waitFor({ state: 'attached', timeout: 15_000 });
        const box = await svg.evaluate((el) => ({ w: el.getBoundingClientRect().width, h: el.getBoundingClientRect().height, id: el.parentElement?.id ?? '' }));
        expect(box.w, `${page} ${box.id}`).toBeGreaterThan(50);
        expect(box.h, `${page} ${box.id}`).toBeGreaterThan(20);
      }
      expect(await p.locator('img[src="x"]').count()).toBe(0);
      await p.screenshot({ path: path.join('test-artifacts', `live-${page.replace(/\/$/, '') || 'overview'}.png`), fullPage: page !== 'kiosk/' });
      expectCleanPage(watched);
      await p.close();
    });
  }
});
