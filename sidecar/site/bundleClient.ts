import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../projectRoot.js';
import { hashedName } from './hashedName.js';

export interface BundledScript {
  entry: string;
  fileName: string;
  contents: Uint8Array;
}

const clientDir = path.join(projectRoot, 'src', 'client');
/** One entry point per page; the modules they share sit one folder up. */
const pagesDir = path.join(clientDir, 'pages');

let cache: { key: string; scripts: BundledScript[] } | null = null;

/**
 * Bundles the browser code (with the Vega runtime) once per process: the client sources
 * do not change while the sidecar runs, so a rebuild reuses the bundle unless they did.
 */
export async function bundleClient(): Promise<BundledScript[]> {
  const sources = readdirSync(clientDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const key = sources.map((f) => `${f}:${statSync(path.join(clientDir, f)).mtimeMs}`).join('|');
  if (cache?.key === key) return cache.scripts;
  const entries = readdirSync(pagesDir).filter((f) => f.endsWith('.ts'));
  const result = await build({
    entryPoints: entries.map((f) => path.join(pagesDir, f)),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    write: false,
    outdir: 'out',
    logLevel: 'silent',
    legalComments: 'none',
  });
  const scripts = result.outputFiles.map((f) => {
    const entry = path.basename(f.path, '.js');
    return { entry, fileName: hashedName(`${entry}.js`, f.contents), contents: f.contents };
  });
  cache = { key, scripts };
  return scripts;
}
