import { mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../helpers/ports.js';
import { SidecarProcess, repoRoot } from '../helpers/sidecarProcess.js';

let work: string;
let sidecar: SidecarProcess;
const page = () => path.join(work, 'out', 'index.html');

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-rebuild-'));
  const idle = `http://127.0.0.1:${await freePort()}`;
  sidecar = new SidecarProcess(['sidecar', '--rclone-url', idle, '--output', path.join(work, 'out'), '--interval', '0.2']).start();
  // index.html is written mid-build (its .br and .gz come after it); the first data files only
  // once the build is done, and the sidecar watches the templates only from then on.
  await waitFor('the first build done', () => statSync(page(), { throwIfNoEntry: false }) && statSync(path.join(work, 'out', 'data', 'index.json'), { throwIfNoEntry: false }), 30_000);
});
afterAll(async () => {
  await sidecar?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('site rebuilds', () => {
  it('does not rebuild the pages on data ticks', async () => {
    const before = statSync(page()).mtimeMs;
    await new Promise((r) => setTimeout(r, 2000));
    expect(statSync(page()).mtimeMs).toBe(before);
  });

  it('rebuilds when a template changes', async () => {
    const before = statSync(page()).mtimeMs;
    const template = path.join(repoRoot, 'templates', 'layouts', 'base.njk');
    // The sidecar watches the templates once its first build is over, and chokidar's watch
    // takes a moment to be in place: on a loaded machine a single touch can come before it.
    // A template touched again every few seconds is still a template that changed.
    let touchedAt = 0;
    await waitFor('a rebuilt index.html', () => {
      if (Date.now() - touchedAt > 3000) {
        const now = new Date();
        utimesSync(template, now, now);
        touchedAt = Date.now();
      }
      return statSync(page()).mtimeMs > before;
    }, 60_000, 250);
  });
});
