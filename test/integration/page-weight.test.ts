import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../sidecar/serve/server.js';
import { buildSite } from '../../sidecar/site/build.js';
import { Nginx } from '../helpers/nginx.js';
import { sampleData, writeSampleOutput } from '../helpers/sampleOutput.js';
import { firstLoadOnWire, sitePages } from '../helpers/wireWeight.js';

/** The budget for a page's first load, counted as each server sends it to a browser. */
const FIRST_LOAD_BUDGET = 300 * 1024;

let work: string;
let out: string;
let server: RunningServer;
let nginx: Nginx;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-weight-'));
  out = path.join(work, 'out');
  await writeSampleOutput(out, sampleData());
  await buildSite({ outputDir: out, site: { version: '1.0.0', intervalSeconds: 2, instances: ['default'] } });
  server = await startServer({ root: out, host: '127.0.0.1', port: 0 });
  nginx = new Nginx(path.join(work, 'nginx'), out);
  await nginx.start();
}, 120_000);
afterAll(async () => {
  nginx?.stop();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the first load of every page, on the wire', () => {
  it('lists every page', () => {
    expect(sitePages(out)).toEqual(expect.arrayContaining(['index.html', ...['transfers', 'accounts', 'queue', 'history', 'logs', 'health', 'kiosk'].map((p) => `${p}/index.html`)]));
  });

  for (const which of ['built-in server', 'nginx'] as const) {
    it(`stays under 300 KB as the ${which} sends it to a browser`, async () => {
      const port = which === 'nginx' ? nginx.port : server.port;
      for (const page of sitePages(out)) {
        const load = await firstLoadOnWire(port, out, page);
        console.log(`${which}: first load of /${page.replace(/index\.html$/, '')}: ${(load.bytes / 1024).toFixed(1)} KiB (${load.files.map((f) => `${f.url} ${f.encoding}`).join(', ')})`);
        expect(load.bytes, page).toBeLessThan(FIRST_LOAD_BUDGET);
        // Every page, script and stylesheet went out compressed.
        expect(load.files.filter((f) => f.encoding === 'identity'), page).toEqual([]);
      }
    });
  }
});
