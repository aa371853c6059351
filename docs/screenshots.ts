/**
 * The README's pictures, taken from `plowboard demo` (a real rclone moving generated files,
 * a generated cloudplow installation) with the Chromium the tests use:
 *   npm run screenshots
 * Each run replaces docs/*.png, so the README shows the pages as they are now.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const docs = path.join(root, 'docs');

const shots = [
  { file: 'overview.png', page: '/', viewport: { width: 1280, height: 1100 }, dark: false },
  { file: 'accounts.png', page: '/accounts/', viewport: { width: 1280, height: 1100 }, dark: false },
  { file: 'transfers.png', page: '/transfers/', viewport: { width: 1280, height: 900 }, dark: false },
  { file: 'kiosk.png', page: '/kiosk/', viewport: { width: 1920, height: 1080 }, dark: true },
  { file: 'phone-dark.png', page: '/', viewport: { width: 390, height: 844 }, dark: true },
];

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms: number): Promise<T> {
  for (const end = Date.now() + ms; ; await new Promise((r) => setTimeout(r, 500))) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`screenshots: timed out waiting for ${what}`);
  }
}

async function json(url: string): Promise<any> {
  const r = await fetch(url);
  return r.ok ? r.json() : null;
}

async function main(): Promise<void> {
  const port = await freePort();
  // A short turn per SA, so the pictures show a session that has already changed SA.
  const demo = spawn(process.execPath, [path.join(root, 'bin', 'plowboard.js'), 'demo', '--port', String(port), '--sa-seconds', '20'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  try {
    await until('the demo to upload on its second SA', async () => {
      const [live, session, transfers] = await Promise.all([json(`${base}/data/live.json`), json(`${base}/data/session.json`), json(`${base}/data/transfers.json`)]);
      return live?.total.inFlight > 0 && session?.session?.accountsUsed.length >= 2 && transfers?.count >= 5;
    }, 120_000);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      for (const shot of shots) {
        const page = await browser.newPage({ viewport: shot.viewport, colorScheme: shot.dark ? 'dark' : 'light' });
        await page.goto(base + shot.page);
        // Charts are drawn from the first data: wait for one where the page has one, then a poll more.
        await page.locator('svg').first().waitFor({ state: 'attached', timeout: 20_000 }).catch(() => undefined);
        await page.waitForTimeout(3000);
        // Not in the second between two SAs' rclones, when nothing moves.
        await until('bytes moving', async () => (await json(`${base}/data/live.json`))?.total.speed > 0, 30_000);
        await page.waitForTimeout(1000);
        await page.screenshot({ path: path.join(docs, shot.file) });
        await page.close();
        process.stdout.write(`screenshots: docs/${shot.file}\n`);
      }
    } finally {
      await browser.close();
    }
  } finally {
    demo.kill('SIGINT');
    const code = await exited;
    if (code !== 0) process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
