import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface WatchedPage {
  page: Page;
  /** console.error messages and uncaught exceptions, in order. */
  consoleErrors: string[];
  /** Every URL the page asked for that is not on the server under test. */
  foreignRequests: string[];
  /** Every URL the page asked for. */
  requests: string[];
}

/** Same origin, or a data: URL (which goes nowhere). */
const isLocal = (url: string, origin: string): boolean => url.startsWith('data:') || (URL.canParse(url) && new URL(url).origin === origin);

/**
 * Debian's Chromium, headless, in a fresh profile. Requests are watched, not routed:
 * routing in Playwright turns the HTTP cache off, and the pages' conditional polling
 * (If-None-Match, 304) is part of what the tests check.
 */
export class TestBrowser {
  private context: BrowserContext | null = null;
  private profile = '';

  /** `timezoneId` and `locale` stand in for the viewer's: pages must show times in their zone. */
  async launch(opts: { timezoneId?: string; locale?: string } = {}): Promise<this> {
    this.profile = mkdtempSync(path.join(tmpdir(), 'plowboard-chromium-'));
    this.context = await chromium.launchPersistentContext(this.profile, {
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1280, height: 900 },
      ...opts,
    });
    return this;
  }

  async open(url: string, opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}): Promise<WatchedPage> {
    if (!this.context) throw new Error('TestBrowser.open before launch');
    const page = await this.context.newPage();
    if (opts.viewport) await page.setViewportSize(opts.viewport);
    if (opts.colorScheme) await page.emulateMedia({ colorScheme: opts.colorScheme });
    const origin = new URL(url).origin;
    const watched: WatchedPage = { page, consoleErrors: [], foreignRequests: [], requests: [] };
    page.on('console', (m) => {
      if (m.type() === 'error') watched.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => watched.consoleErrors.push(`pageerror: ${e.message}`));
    page.on('request', (r) => {
      watched.requests.push(r.url());
      if (!isLocal(r.url(), origin)) watched.foreignRequests.push(r.url());
    });
    await page.goto(url);
    return watched;
  }

  async close(): Promise<void> {
    await this.context?.close();
    this.context = null;
    if (this.profile) rmSync(this.profile, { recursive: true, force: true });
  }
}

/**
 * Throws when the page asked another host for anything or logged an error. `allow`
 * lists console errors a test expects (a refused connection after it stopped the server).
 */
export function expectCleanPage(watched: WatchedPage, allow: RegExp[] = []): void {
  if (watched.foreignRequests.length) throw new Error(`requests to other hosts: ${watched.foreignRequests.join(', ')}`);
  const errors = watched.consoleErrors.filter((e) => !allow.some((re) => re.test(e)));
  if (errors.length) throw new Error(`console errors: ${errors.join(' | ')}`);
}
