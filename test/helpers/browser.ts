import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

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
  consoleErrors: string[];
  /** Every URL the page asked for that is not on the server under test. */
  foreignRequests: string[];
  requests: string[];
}

/** Debian's Chromium, headless, in a fresh profile. */
export class TestBrowser {
  private browser: Browser | null = null;
  private context: BrowserContext | null = null;
  private profile = '';

  async launch(): Promise<this> {
    this.profile = mkdtempSync(path.join(tmpdir(), 'plowboard-chromium-'));
    this.context = await chromium.launchPersistentContext(this.profile, {
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1280, height: 900 },
    });
    this.browser = this.context.browser();
    return this;
  }

  async open(url: string, opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}): Promise<WatchedPage> {
    const page = await this.context!.newPage();
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
      if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) watched.foreignRequests.push(r.url());
    });
    await page.goto(url);
    return watched;
  }

  async close(): Promise<void> {
    await this.context?.close();
    await this.browser?.close();
    if (this.profile) rmSync(this.profile, { recursive: true, force: true });
  }
}
