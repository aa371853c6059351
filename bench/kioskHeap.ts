import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestBrowser } from '../test/helpers/browser.js';
import { freePort, waitFor } from '../test/helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../test/helpers/rclone.js';
import { SidecarProcess } from '../test/helpers/sidecarProcess.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The kiosk page in Chromium for `minutes` against a sidecar polling a real rclone every
 * 0.5 s while files keep copying: JS heap (after a forced collection) and DOM nodes at the
 * start and the end.
 */
export async function kioskHeap(minutes: number) {
  const work = mkdtempSync(path.join(tmpdir(), 'plowboard-bench-kiosk-'));
  const rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  const port = await freePort();
  const sidecar = new SidecarProcess(['run', '--rclone-url', rclone.url, '--output', path.join(work, 'out'), '--state-dir', path.join(work, 'state'), '--port', String(port), '--interval', '0.5'], {
    PLOWBOARD_RCLONE_USER: rclone.user,
    PLOWBOARD_RCLONE_PASS: rclone.pass,
  }).start();
  const browser = await new TestBrowser().launch();
  let copying = true;
  const churn = (async () => {
    for (let i = 0; copying; i++) {
      const src = path.join(work, `src${i % 2}`);
      rmSync(src, { recursive: true, force: true });
      makeFiles(src, Array.from({ length: 3 }, (_, j) => [`k${i}-${j}.mkv`, 2_000_000] as [string, number]));
      await rclone.bwlimit('2M').catch(() => undefined);
      const job = await rclone.copy(src, path.join(work, `dst${i}`)).catch(() => null);
      if (job !== null) await rclone.waitJob(job, 60_000).catch(() => undefined);
      rmSync(path.join(work, `dst${i}`), { recursive: true, force: true });
    }
  })();
  try {
    await waitFor('the server', () => fetch(`http://127.0.0.1:${port}/data/index.json`).then((r) => r.ok, () => false), 30_000);
    const { page } = await browser.open(`http://127.0.0.1:${port}/kiosk/`, { viewport: { width: 1920, height: 1080 } });
    const cdp = await page.context().newCDPSession(page);
    const measure = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
      const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
      return { heapMiB: Math.round((heap.usedSize / 1024 / 1024) * 10) / 10, domNodes: nodes };
    };
    await sleep(20_000);
    const start = await measure();
    // The throughput window (10 min) fills first, and its data rightly grows the heap: what
    // matters for a wall screen is that nothing grows once it is full.
    const samples: Array<{ minute: number; heapMiB: number; domNodes: number }> = [{ minute: 0, ...start }];
    for (let minute = 1; minute <= minutes; minute++) {
      await sleep(60_000);
      if (minute % 5 === 0 || minute === minutes) samples.push({ minute, ...(await measure()) });
    }
    const end = samples.at(-1)!;
    return { minutes, start, end, samples };
  } finally {
    copying = false;
    await browser.close();
    await sidecar.stop();
    await rclone.stop();
    await churn.catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}
