import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatchedPage } from '../helpers/browser.js';
import { live, startOverview } from '../helpers/overviewData.js';
import { waitFor } from '../helpers/ports.js';
import { EVIL_NAME, sampleData } from '../helpers/sampleOutput.js';
import { repoRoot } from '../helpers/sidecarProcess.js';
import { SitePage } from '../helpers/sitePage.js';

const site = new SitePage();
let view: WatchedPage;

beforeAll(async () => {
  // At 120 MiB/s, as after the live updates of overview-static.test.ts.
  view = await startOverview(site, live(80, 120));
}, 120_000);

afterAll(() => site.stop());

describe('the overview page in Chromium: the upload session, SAs and log, from cloudplow’s data files', () => {
  it('shows the upload session, the SA pool, the SAs nearest their limit and the last log lines once cloudplow is read', async () => {
    const { page } = view;
    // Before cloudplow's files are read, each part says so instead of showing nothing.
    expect(await page.locator('#session-line').textContent()).toBe('No upload session known yet.');
    expect(await page.locator('#nearest-empty').isVisible()).toBe(true);
    expect(await page.locator('#log-empty').isVisible()).toBe(true);
    expect(await page.locator('#stat-sas').textContent()).toBe('—');

    const sample = sampleData();
    for (const name of ['session', 'accounts', 'logs']) site.write(name, sample[name]);
    site.touch({ changed: ['live', 'session', 'accounts', 'logs'] });

    const line = page.locator('#session-line');
    await waitFor('the session banner', async () => (await line.textContent())?.startsWith('Uploading now: '), 20_000);
    expect(await line.textContent()).toMatch(/^Uploading now: google, SA 1 of 12 \(1\.json\), stage 1 · largest_first · max 700G, running 1 h( \d+ min)?, ETA 1 h\.$/);
    expect(await page.locator('#session-why').textContent()).toMatch(/^Active: rclone is busy .+the upload lock file is present.+\. From dashboard_session_state\.json\. The fork's session file differs: it counts 600 files done where \d+ finished\.$/);
    expect(await page.locator('#session').getAttribute('data-active')).toBe('true');
    expect(await page.locator('#session-account').textContent()).toBe('SA 1 of 12 · 1.json');

    expect(await page.locator('#stat-sas').textContent()).toBe('10 of 12');
    expect(await page.locator('#stat-sas-sub').textContent()).toBe('1 exhausted · 1 banned');
    // No refusal in the sample: every SA with quota is really usable.
    expect(await page.locator('#stat-sas-refused').textContent()).toBe('10 really usable · 10 with quota');
    expect(await page.locator('#stat-pool').textContent()).toBe('5.7 TiB');
    expect(await page.locator('#stat-pool-sub').textContent()).toMatch(/^lasts 20 h 45 min at this speed · next reset /);

    // Five usable SAs, the most used first; banned and exhausted ones are not "near" their limit.
    const nearest = page.locator('#nearest tr');
    expect(await nearest.count()).toBe(5);
    expect(await page.locator('table.nearest thead th[scope="col"]').count()).toBe(5);
    const percents = await nearest.locator('td.num span').allTextContents();
    expect(percents.map((p) => Number.parseFloat(p))).toEqual([...percents.map((p) => Number.parseFloat(p))].sort((a, b) => b - a));
    expect(await page.locator('#nearest th[scope="row"]').allTextContents()).toContain('1.jsonin use');
    expect(await page.locator('#nearest tr[data-status="banned"]').count()).toBe(0);
    // A hostile SA name is characters in a cell.
    expect(await page.locator('#nearest th[scope="row"] span', { hasText: 'calc' }).count()).toBe(1);

    const logs = page.locator('#log-lines li');
    expect(await logs.count()).toBe(5);
    expect(await logs.nth(4).getAttribute('data-level')).toBe('error');
    expect(await logs.nth(3).locator('.message').textContent()).toBe(`2026/11/22 10:00:00 INFO  : Movies/${EVIL_NAME}: Copied (new)`);
    expect(await page.locator('img').count()).toBe(0);
    expect(site.dialogs).toEqual([]);

    await waitFor('the title to count SAs', async () => (await page.title()) === '▲ 120 MiB/s · 10 SAs left — plowboard', 5_000);
    await page.screenshot({ path: path.join(repoRoot, 'test', 'artifacts', 'overview.png'), fullPage: true });
  }, 60_000);
});
