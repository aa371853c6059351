import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dataPath, type Manifest } from '../../sidecar/contract/index.js';
import { buildSite } from '../../sidecar/site/build.js';
import { TestBrowser, type WatchedPage } from './browser.js';
import { writeSampleOutput } from './sampleOutput.js';
import { repoRoot } from './sidecarProcess.js';
import { StaticServer } from './staticServer.js';

export const artifacts = path.join(repoRoot, 'test-artifacts');

/**
 * A built site with sample data behind a static server (the product's CSP, ETags, 304s)
 * and a Chromium that watches every request and console error. `update` rewrites a data
 * file and moves its changedAt in the manifest, as the sidecar does, each by rename.
 */
export class SitePage {
  out = '';
  server!: StaticServer;
  browser!: TestBrowser;
  /** Messages of any alert/confirm/prompt a page opened: a hostile name that ran would land here. */
  readonly dialogs: string[] = [];

  async start(data: Record<string, unknown>, opts: { timezoneId?: string; locale?: string } = {}): Promise<this> {
    this.out = mkdtempSync(path.join(tmpdir(), 'plowboard-page-'));
    await buildSite({ outputDir: this.out, site: { version: '0.1.0', intervalSeconds: 1, instances: ['default'] } });
    // A heartbeat every hour: no test runs long enough for the page to call the sidecar stopped.
    await writeSampleOutput(this.out, data, { heartbeatSeconds: 3600 });
    // Poll twice a second so live updates show quickly.
    const manifest = this.manifest();
    manifest.intervals.activeSeconds = 0.5;
    this.write('index', manifest);
    this.server = await new StaticServer(this.out).start();
    this.browser = await new TestBrowser().launch(opts);
    return this;
  }

  async open(urlPath: string, opts: Parameters<TestBrowser['open']>[1] = {}): Promise<WatchedPage> {
    const view = await this.browser.open(this.server.url + urlPath, opts);
    view.page.on('dialog', (d) => {
      this.dialogs.push(d.message());
      void d.dismiss();
    });
    return view;
  }

  manifest(): Manifest {
    return JSON.parse(readFileSync(path.join(this.out, dataPath('index')), 'utf8')) as Manifest;
  }

  write(name: string, data: unknown): void {
    const file = path.join(this.out, dataPath(name));
    writeFileSync(`${file}.tmp`, JSON.stringify(data));
    renameSync(`${file}.tmp`, file);
  }

  /** A data file changed: the file first, then the manifest that announces it. */
  update(name: string, data: unknown): void {
    this.write(name, data);
    const m = this.manifest();
    const now = new Date().toISOString();
    m.heartbeatAt = now;
    m.files = m.files.map((f) => (f.name === name ? { ...f, changedAt: now } : f));
    this.write('index', m);
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
