import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dataPath, type Heartbeat, type Manifest } from '../../sidecar/contract/index.js';
import { buildSite } from '../../sidecar/site/build.js';
import { TestBrowser, type WatchedPage } from './browser.js';
import { touchManifest, type TouchOptions } from './manifest.js';
import { writeSampleOutput } from './sampleOutput.js';
import { repoRoot } from './sidecarProcess.js';
import { StaticServer } from './staticServer.js';

export const artifacts = path.join(repoRoot, 'test-artifacts');

type SiteInfo = Parameters<typeof buildSite>[0]['site'];

/** The sidecar's own pace, a poll every 2 s and a heartbeat every 30 s: for a test whose page must see a heartbeat go stale. */
export const SIDECAR_PACE = { site: { intervalSeconds: 2 }, heartbeatSeconds: 30, intervals: { activeSeconds: 2 } } as const;

export interface SitePageOptions {
  /** The viewer's zone and locale: pages must show times in them. */
  timezoneId?: string;
  locale?: string;
  /** What the site is built with; one instance, a poll every second by default. */
  site?: Partial<SiteInfo>;
  /** An hour by default: no test runs long enough for the page to call the sidecar stopped. */
  heartbeatSeconds?: number;
  /** Twice a second while active by default, so live updates show quickly. */
  intervals?: Partial<Manifest['intervals']>;
}

/**
 * The e2e set-up: a built site with data files (the sample, or a test's own) behind a
 * static server (the product's CSP, ETags, 304s) and a Chromium that watches every request
 * and console error. `update` rewrites a data file and moves its changedAt in the manifest,
 * as the sidecar does, each by rename.
 */
export class SitePage {
  out = '';
  server!: StaticServer;
  browser!: TestBrowser;
  site!: SiteInfo;
  /** Messages of any alert/confirm/prompt a page opened: a hostile name that ran would land here. */
  readonly dialogs: string[] = [];

  /** `data` may be made from the output folder (a source whose target is it). */
  async start(data: Record<string, unknown> | ((out: string) => Record<string, unknown>), opts: SitePageOptions = {}): Promise<this> {
    this.out = mkdtempSync(path.join(tmpdir(), 'plowboard-page-'));
    this.site = { version: '0.1.0', intervalSeconds: 1, instances: ['default'], ...opts.site };
    await buildSite({ outputDir: this.out, site: this.site });
    await writeSampleOutput(this.out, typeof data === 'function' ? data(this.out) : data, {
      heartbeatSeconds: opts.heartbeatSeconds ?? 3600,
      intervals: { activeSeconds: 0.5, ...opts.intervals },
    });
    this.server = await new StaticServer(this.out).start();
    const { timezoneId, locale } = opts;
    this.browser = await new TestBrowser().launch({ ...(timezoneId && { timezoneId }), ...(locale && { locale }) });
    return this;
  }

  /** Builds the site again over the same data, as the sidecar does after an upgrade. */
  async rebuild(site: Partial<SiteInfo>): Promise<void> {
    this.site = { ...this.site, ...site };
    await buildSite({ outputDir: this.out, site: this.site });
  }

  async open(urlPath: string, opts: Parameters<TestBrowser['open']>[1] = {}): Promise<WatchedPage> {
    const view = await this.browser.open(this.server.url + urlPath.replace(/^\//, ''), opts);
    view.page.on('dialog', (d) => {
      this.dialogs.push(d.message());
      void d.dismiss();
    });
    return view;
  }

  manifest(): Manifest {
    return this.read<Manifest>('index');
  }

  read<T>(name: string): T {
    return JSON.parse(readFileSync(path.join(this.out, dataPath(name)), 'utf8')) as T;
  }

  /** Rename over the old file, as the sidecar does: the page never reads half a file. */
  write(name: string, data: unknown): void {
    const file = path.join(this.out, dataPath(name));
    writeFileSync(`${file}.tmp`, JSON.stringify(data));
    renameSync(`${file}.tmp`, file);
  }

  /** A new heartbeat (or an old one: a stopped sidecar), and a new changedAt in the manifest for the files named. */
  touch(opts: TouchOptions = {}): { manifest: Manifest; heartbeat: Heartbeat } {
    const touched = touchManifest(this.manifest(), opts);
    this.write('heartbeat', touched.heartbeat);
    this.write('index', touched.manifest);
    return touched;
  }

  /** A data file changed: the file first, then the manifest that announces it. */
  update(name: string, data: unknown): void {
    this.write(name, data);
    this.touch({ changed: [name] });
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await this.server?.stop();
    if (this.out) rmSync(this.out, { recursive: true, force: true });
  }
}

/** Gzipped size of a page's first load: its HTML, stylesheet and script. */
export function firstLoadFiles(out: string, html: string): string[] {
  const text = readFileSync(path.join(out, html), 'utf8');
  const refs = [...text.matchAll(/(?:href|src)="(?:\.\.\/)*(assets\/[^"]+)"/g)].map((m) => m[1]!);
  return [html, ...refs].map((f) => path.join(out, f));
}
