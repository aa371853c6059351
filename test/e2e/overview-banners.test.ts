import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanPage, type WatchedPage } from '../helpers/browser.js';
import { startOverview } from '../helpers/overviewData.js';
import { waitFor } from '../helpers/ports.js';
import { SitePage } from '../helpers/sitePage.js';

const site = new SitePage();
let view: WatchedPage;

beforeAll(async () => {
  view = await startOverview(site);
}, 120_000);

afterAll(() => site.stop());

describe('the overview page in Chromium: a stopped sidecar, a static build, an unreachable server', () => {
  it('says plainly when the sidecar has stopped', async () => {
    const { page } = view;
    site.touch({ heartbeatMsAgo: 10 * 60_000, changed: ['live'] });
    // A beat not yet due is asked for every half beat (15 s here): seen within that and a poll.
    await page.getByText(/^The sidecar has stopped: no update since .+\. The numbers below are old\.$/).waitFor({ timeout: 45_000 });
    expect(await page.locator('#banner').isVisible()).toBe(true);
    await waitFor('the title to say so', async () => (await page.title()) === 'stopped — plowboard', 5_000);
    expect(await page.locator('#freshness').textContent()).toMatch(/^updated 10 min( \d+ s)? ago$/);
  }, 120_000);

  it('says a one-off build is a static build, not a stopped sidecar', async () => {
    const { page } = view;
    // heartbeatSeconds 0 is what a one-off `plowboard build` writes.
    const builtAt = site.touch({ heartbeatMsAgo: 3 * 3600_000, heartbeatSeconds: 0, changed: ['live'] }).heartbeat.heartbeatAt;
    await waitFor('the static build line', async () => /^static build from /.test((await page.locator('#freshness').textContent()) ?? ''), 10_000);
    expect(await page.locator('#freshness').textContent()).toBe(`static build from ${await page.evaluate((t) => new Date(t).toLocaleString(), builtAt)}`);
    await waitFor('the banner to go', () => page.locator('#banner').isHidden(), 5_000);
    expect(await page.title()).not.toBe('stopped — plowboard');
  }, 30_000);

  it('says plainly when the server is unreachable, and backs off', async () => {
    const { page } = view;
    await site.server.stop();
    await page.getByText(/^The server is unreachable — retrying\./).waitFor({ timeout: 20_000 });
    expect(await page.title()).toBe('unreachable — plowboard');
    // Every 0.5 s while it answered; now 1 s, 2 s, 4 s apart.
    const polls = () => view.requests.filter((r) => r.endsWith('/data/index.json')).length;
    const before = polls();
    await new Promise((r) => setTimeout(r, 4000));
    expect(polls() - before).toBeGreaterThanOrEqual(1);
    expect(polls() - before).toBeLessThanOrEqual(3);
    expectCleanPage(view, [/Failed to load resource|ERR_CONNECTION_REFUSED/]);
  }, 60_000);
});
