import { access, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import Eleventy from '@11ty/eleventy';
import { projectRoot } from '../projectRoot.js';
import { writeFileAtomic } from '../write/atomic.js';
import { bundleClient } from './bundleClient.js';
import { compileCharts } from './charts.js';
import { COMPRESSIBLE, writeCompressedSiblings } from './compressedSiblings.js';
import { hashedName } from './hashedName.js';
import type { SiteAssets, SiteData } from './siteData.js';

const stylesDir = path.join(projectRoot, 'src', 'styles');

/**
 * Builds the site into the output folder: the client bundle and styles under hashed
 * names in assets/, then the pages with Eleventy. Data files are left alone.
 */
export async function buildSite(opts: { outputDir: string; site: SiteData }): Promise<{ durationMs: number }> {
  const started = performance.now();
  const assetsDir = path.join(opts.outputDir, 'assets');
  await mkdir(assetsDir, { recursive: true });
  const assets: SiteAssets = { scripts: {}, styles: {}, charts: compileCharts() };
  const keep = new Set<string>();
  // Assets are compressed (in zlib's thread pool) while Eleventy renders the pages.
  const compressing: Array<Promise<void>> = [];
  const written = async (file: string, content: Uint8Array) => {
    await writeIfAbsent(file, content);
    compressing.push(writeCompressedSiblings(file, { skipFresh: true }));
  };

  for (const script of await bundleClient()) {
    if (script.entry) assets.scripts[script.entry] = `assets/${script.fileName}`;
    keep.add(script.fileName);
    await written(path.join(assetsDir, script.fileName), script.contents);
  }
  for (const file of (await readdir(stylesDir)).filter((f) => f.endsWith('.css'))) {
    const css = await readFile(path.join(stylesDir, file));
    const name = hashedName(file, css);
    assets.styles[path.basename(file, '.css')] = `assets/${name}`;
    keep.add(name);
    await written(path.join(assetsDir, name), css);
  }

  const eleventy = new Eleventy(path.join(projectRoot, 'src'), opts.outputDir, {
    configPath: path.join(projectRoot, '.eleventy.js'),
    quietMode: true,
    config: (cfg) => {
      cfg.addGlobalData('site', opts.site);
      cfg.addGlobalData('assets', assets);
    },
  });
  // Its "Wrote 2 files" line would land in the sidecar's log on every rebuild; failures still throw.
  eleventy.disableLogger();
  // Settle the assets' compression even if Eleventy throws: no write may outlive the build.
  const pages = await eleventy.write().finally(() => Promise.allSettled(compressing));
  await Promise.all(compressing);
  // Pages are rewritten by every build: their siblings always are too, after them.
  await Promise.all(outputPaths(pages, opts.outputDir).filter((f) => COMPRESSIBLE.test(f)).map((f) => writeCompressedSiblings(f)));
  await removeStale(assetsDir, keep);
  return { durationMs: performance.now() - started };
}

/** A hashed name never changes content, so an existing file is already right. */
async function writeIfAbsent(file: string, content: Uint8Array): Promise<void> {
  if (!(await access(file).then(() => true, () => false))) await writeFileAtomic(file, content);
}

/** Leftovers of earlier builds; only names shaped like ours are removed, with their .br and .gz. */
async function removeStale(assetsDir: string, keep: Set<string>): Promise<void> {
  for (const f of await readdir(assetsDir)) {
    // Ours: name.<10 hex>.css, and esbuild's name.<8 base32>.js.
    const shaped = /\.([0-9a-f]{10}\.(js|css)|[A-Z2-7]{8}\.js)(\.br|\.gz)?$/.exec(f);
    if (shaped && !keep.has(f.replace(/\.(br|gz)$/, ''))) await rm(path.join(assetsDir, f), { force: true });
  }
}

/** The files Eleventy wrote, from what its write() returns (results nested in arrays, each with an outputPath). */
function outputPaths(results: unknown, outputDir: string): string[] {
  const found = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object' && typeof (v as { outputPath?: unknown }).outputPath === 'string') found.add(path.resolve((v as { outputPath: string }).outputPath));
  };
  walk(results);
  // Only what is inside the output folder, whatever Eleventy reports.
  return [...found].filter((f) => f.startsWith(path.resolve(outputDir) + path.sep));
}
