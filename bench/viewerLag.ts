/**
 * How far behind rclone a viewer's numbers are: `npx tsx bench/viewerLag.ts` (env
 * BENCH_LAG_INTERVAL, default 2 s, the sidecar's default; BENCH_LAG_SECONDS, default 60).
 *
 * A real `rclone rcd` moves one large file to `:memory:` under a bandwidth limit; a sidecar
 * (`plowboard run`) polls it; Chromium shows the overview. Node asks rclone's `core/stats`
 * for its `bytes` every 50 ms, and the page records each change of the overview's "Done"
 * figure (#stat-done) with its own clock (the same machine's). The figure is shown to 0.1 MiB,
 * so a shown value V was true at rclone from the first moment its bytes reached V − 0.05 MiB:
 * the lag of that change is the time the page showed it minus that moment. Run on its own;
 * it does not touch bench/run.ts or bench/RESULTS.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestBrowser } from '../test/helpers/browser.js';
import { freePort, waitFor } from '../test/helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../test/helpers/rclone.js';
import { SidecarProcess } from '../test/helpers/sidecarProcess.js';

const MiB = 1024 ** 2;
const UNITS: Record<string, number> = { B: 1, kB: 1024, KiB: 1024, MiB, GiB: 1024 ** 3 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function viewerLag(intervalSeconds: number, seconds: number) {
  const work = mkdtempSync(path.join(tmpdir(), 'plowboard-bench-lag-'));
  const rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/`;
  const sidecar = new SidecarProcess(['run', '--rclone-url', rclone.url, '--output', path.join(work, 'out'), '--state-dir', path.join(work, 'state'), '--port', String(port), '--interval', String(intervalSeconds)], {
    PLOWBOARD_RCLONE_USER: rclone.user,
    PLOWBOARD_RCLONE_PASS: rclone.pass,
  }).start();
  const browser = await new TestBrowser().launch();
  try {
    await waitFor('the server and the overview', async () => (await fetch(`${base}data/index.json`).catch(() => null))?.ok && (await fetch(base).catch(() => null))?.ok, 120_000);
    // 2 MiB/s for longer than the run: the file never finishes, so "Done" only grows.
    makeFiles(path.join(work, 'src'), [['big.mkv', Math.ceil((seconds + 60) * 2 * MiB)]]);
    await rclone.bwlimit('2M');
    await rclone.move(path.join(work, 'src'), ':memory:dst');
    const { page } = await browser.open(base);
    await waitFor('bytes on the overview', async () => /[1-9]/.test((await page.locator('#stat-done').textContent()) ?? ''), 60_000);
    await page.evaluate(() => {
      const el = document.getElementById('stat-done')!;
      const seen: Array<[number, string]> = [];
      (window as unknown as { lagSeen: typeof seen }).lagSeen = seen;
      new MutationObserver(() => seen.push([Date.now(), el.textContent ?? ''])).observe(el, { childList: true, characterData: true, subtree: true });
    });
    const rc: Array<[number, number]> = [];
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      const r = await rclone.rc('core/stats');
      if (r.ok) rc.push([Date.now(), (r.body as { bytes: number }).bytes]);
      await sleep(50);
    }
    const shown = await page.evaluate(() => (window as unknown as { lagSeen: Array<[number, string]> }).lagSeen);
    const lags: number[] = [];
    for (const [at, text] of shown) {
      const m = /^([\d.]+) (\w+)$/.exec(text.trim());
      if (!m || !UNITS[m[2]!]) continue;
      const value = Number(m[1]) * UNITS[m[2]!]!;
      const half = m[2] === 'B' ? 0 : 0.05 * UNITS[m[2]!]!;
      const first = rc.find(([, bytes]) => bytes >= value - half);
      // A change shown before the first rclone reading, or never reached in the readings, has no lag to measure.
      if (!first || first === rc[0]) continue;
      lags.push((at - first[0]) / 1000);
    }
    lags.sort((a, b) => a - b);
    const q = (p: number) => lags[Math.min(lags.length - 1, Math.floor(p * lags.length))] ?? NaN;
    return { intervalSeconds, seconds, changes: lags.length, median: q(0.5), p90: q(0.9), min: lags[0] ?? NaN, max: lags.at(-1) ?? NaN, mean: lags.reduce((a, b) => a + b, 0) / lags.length };
  } finally {
    await browser.close();
    await sidecar.stop();
    await rclone.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await viewerLag(Number(process.env.BENCH_LAG_INTERVAL ?? 2), Number(process.env.BENCH_LAG_SECONDS ?? 60));
  const s = (n: number) => n.toFixed(2);
  process.stdout.write(`viewer lag at a ${r.intervalSeconds} s interval over ${r.seconds} s: ${r.changes} changes of the overview's Done figure; behind rclone by median ${s(r.median)} s, mean ${s(r.mean)} s, p90 ${s(r.p90)} s (min ${s(r.min)}, max ${s(r.max)})\n`);
}
