import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../projectRoot.js';

export interface BundledScript {
  /** The page entry it is (`overview`), or null for a chunk the pages share. */
  entry: string | null;
  /** Hashed by content, so it can be cached for good. */
  fileName: string;
  contents: Uint8Array;
}

const clientDir = path.join(projectRoot, 'src', 'client');
/** One entry point per page; the modules they share sit one folder up. */
const pagesDir = path.join(clientDir, 'pages');

let cache: { key: string; scripts: BundledScript[] } | null = null;

/**
 * Bundles the browser code (with the Vega runtime) once per process. Bundling Vega takes
 * most of a build, and a rebuild (a template edited) rarely touches the client, so the
 * result is reused for as long as the client sources hash the same. node_modules is left
 * out of the key: it does not change under a running process.
 */
export async function bundleClient(): Promise<BundledScript[]> {
  const key = sourcesKey();
  if (cache?.key === key) return cache.scripts;
  const entries = readdirSync(pagesDir).filter((f) => f.endsWith('.ts'));
  const outdir = path.join(projectRoot, '.bundle-out');
  const result = await build({
    entryPoints: entries.map((f) => path.join(pagesDir, f)),
    bundle: true,
    minify: true,
    format: 'esm',
    // The Vega runtime goes into a chunk every chart page shares: a reader moving between
    // pages downloads it once, and the browser keeps it (hashed names are cached for good).
    splitting: true,
    entryNames: '[name].[hash]',
    chunkNames: 'chunk.[hash]',
    target: 'es2020',
    write: false,
    outdir,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const scripts = result.outputFiles.map((f) => {
    const meta = result.metafile.outputs[path.relative(process.cwd(), f.path)] ?? Object.entries(result.metafile.outputs).find(([k]) => path.resolve(k) === f.path)?.[1];
    const entry = meta?.entryPoint ? path.basename(meta.entryPoint, '.ts') : null;
    return { entry, fileName: path.relative(outdir, f.path), contents: f.contents };
  });
  cache = { key, scripts };
  return scripts;
}

function sourcesKey(): string {
  const hash = createHash('sha256');
  const files = readdirSync(clientDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).sort();
  for (const f of files) hash.update(f).update('\0').update(readFileSync(path.join(clientDir, f))).update('\0');
  return hash.digest('hex');
}
