import { readdirSync, readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../test/helpers/browser.js';
import { cpuSeconds } from './procStats.js';

/**
 * Real viewers: Debian's Chromium, headless, one browser per group of pages, its whole
 * process tree found in /proc so its CPU can be read. Each page has a browser context of its
 * own — its own HTTP cache and connections, as viewers on separate machines have: pages
 * sharing one cache would revalidate what another page just fetched and get a 304 where a
 * kiosk of its own gets the new file. Hosts other than localhost resolve to nothing at once
 * (the fork's page asks two CDNs for Tailwind and Chart.js; there is no internet here),
 * without Playwright's routing, which would turn the HTTP cache off and with it plowboard's
 * conditional polling.
 */
export class Viewers {
  private browser: Browser | null = null;
  /** On the browser's command line, to find its processes: Chromium ignores a switch it does not know. */
  private readonly tag = `--plowboard-bench-viewers=${process.pid}-${Math.random().toString(36).slice(2)}`;
  readonly pages: Page[] = [];

  async launch(): Promise<this> {
    this.browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1', this.tag],
      headless: true,
    });
    return this;
  }

  /** Opens `n` more pages on `url`, each at 1920×1080 in a context of its own, five at a time. */
  async open(url: string, n = 1): Promise<void> {
    for (let i = 0; i < n; i += 5) {
      await Promise.all(
        Array.from({ length: Math.min(5, n - i) }, async () => {
          const context = await this.browser!.newContext({ viewport: { width: 1920, height: 1080 } });
          const page = await context.newPage();
          await page.goto(url, { waitUntil: 'load', timeout: 60_000 }).catch(() => undefined);
          this.pages.push(page);
        }),
      );
    }
  }

  /** How many of the pages say they are visible: a hidden page would not poll. */
  async visible(): Promise<number> {
    const v = await Promise.all(this.pages.map((p) => p.evaluate(() => document.visibilityState === 'visible').catch(() => false)));
    return v.filter(Boolean).length;
  }

  /** Every process of this browser: the one started with its tag, and all below it. */
  processes(): Array<{ pid: number; type: string }> {
    const procs = new Map<number, { ppid: number; cmd: string }>();
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        procs.set(Number(d), { ppid, cmd: readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ') });
      } catch {
        /* gone while listed */
      }
    }
    const roots = [...procs].filter(([, p]) => p.cmd.includes(this.tag) && !p.cmd.includes('--type=')).map(([pid]) => pid);
    const tree = new Set(roots);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, p] of procs) if (!tree.has(pid) && tree.has(p.ppid)) (tree.add(pid), (grew = true));
    }
    return [...tree].map((pid) => ({ pid, type: /--type=([\w-]+)/.exec(procs.get(pid)!.cmd)?.[1] ?? 'browser' }));
  }

  /** CPU seconds used so far, by process type (browser, renderer, gpu-process, utility, zygote). */
  cpu(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of this.processes()) {
      try {
        out[p.type] = (out[p.type] ?? 0) + cpuSeconds(p.pid);
      } catch {
        /* exited */
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    this.browser = null;
  }
}

/** CPU of a browser over a window, as % of one core: the renderer(s) + GPU process, and the whole tree. */
export function browserCpuDelta(before: Record<string, number>, after: Record<string, number>, seconds: number) {
  const pct = (keys: (k: string) => boolean) =>
    (Object.keys(after)
      .filter(keys)
      .reduce((s, k) => s + (after[k]! - (before[k] ?? 0)), 0) /
      seconds) *
    100;
  return { rendererGpu: pct((k) => k === 'renderer' || k === 'gpu-process'), all: pct(() => true) };
}
