import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type WatchedPage } from '../helpers/browser.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';
import { SidecarProcess } from '../helpers/sidecarProcess.js';

const EVIL = '<img src=x onerror=alert(1)>.mkv';
let work: string;
let rclone: RcloneDaemon;
let sidecar: SidecarProcess;
let browser: TestBrowser;
let url: string;
let view: WatchedPage;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-e2e-'));
  rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  const port = await freePort();
  url = `http://127.0.0.1:${port}/`;
  sidecar = new SidecarProcess(['run', '--rclone-url', rclone.url, '--output', path.join(work, 'out'), '--port', String(port), '--interval', '0.5'], {
    PLOWBOARD_RCLONE_USER: rclone.user,
    PLOWBOARD_RCLONE_PASS: rclone.pass,
  }).start();
  // The data goes out before the pages are built: wait for both.
  await waitFor('the server and the pages', async () => (await fetch(`${url}data/index.json`)).ok && (await fetch(url)).ok, 60_000);
  browser = await new TestBrowser().launch();
});

afterAll(async () => {
  await browser?.close();
  await sidecar?.stop();
  await rclone?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the overview page in Chromium while rclone copies', () => {
  it('shows live progress bars, the chart, and file names as text', async () => {
    const src = path.join(work, 'src');
    makeFiles(src, [['first.mkv', 4_000_000], ['second.mkv', 4_000_000], [EVIL, 3_000_000]]);
    mkdirSync(path.join(work, 'dst'), { recursive: true });
    await rclone.bwlimit('1M');
    const job = await rclone.copy(src, path.join(work, 'dst'));

    view = await browser.open(url);
    const { page } = view;
    const bar = page.getByRole('progressbar', { name: 'Progress of first.mkv' });
    await bar.waitFor({ timeout: 15_000 });
    await waitFor('the bar to move', async () => Number(await bar.getAttribute('value')) > 0, 15_000);
    const first = Number(await bar.getAttribute('value'));
    await waitFor('the bar to move on, in place', async () => Number(await bar.getAttribute('value')) > first, 15_000);

    // The chart is a Vega SVG with a drawn line.
    await page.locator('#chart-throughput svg .mark-line path').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('#chart-throughput-desc').textContent()).toMatch(/MiB\/s/);

    // The hostile name is shown as text, and no element came out of it.
    await page.getByText(EVIL, { exact: true }).first().waitFor({ timeout: 15_000 });
    expect(await page.locator('main img').count()).toBe(0);

    expect(await page.locator('#sources').textContent()).toMatch(/rclone “default” is answering/);
    expect(await page.title()).toMatch(/^▲ .*\/s — plowboard$/);
    await page.screenshot({ path: path.join('test-artifacts', 'overview-live.png'), fullPage: true });

    await rclone.bwlimit('off');
    await rclone.waitJob(job);
    await page.locator('#finished tr', { hasText: 'second.mkv' }).waitFor({ timeout: 15_000 });
  });

  it('says rclone is idle in words when it stops, and the sidecar has stopped when it does', async () => {
    const { page } = view;
    await rclone.stop();
    await page.getByText('rclone is not running — cloudplow starts it only during uploads.', { exact: true }).waitFor({ timeout: 20_000 });
    expect(await page.title()).toBe('idle — plowboard');
    await sidecar.stop('SIGKILL');
    // With the server gone too, the page says so instead of showing old numbers as fresh.
    await page.getByText(/server is unreachable|sidecar has stopped/).waitFor({ timeout: 30_000 });
  });

  it('made no console errors and no request to any other host', () => {
    expect(view.foreignRequests).toEqual([]);
    expect(view.consoleErrors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(e))).toEqual([]);
    // Polling revalidates: the manifest was fetched again and again.
    expect(view.requests.filter((r) => r.endsWith('data/index.json')).length).toBeGreaterThan(3);
  });
});
