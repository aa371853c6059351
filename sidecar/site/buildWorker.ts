import { buildSite } from './build.js';
import type { SiteData } from './siteData.js';

/**
 * The site build, run in a process of its own (see buildInChild.ts): Eleventy, esbuild
 * and Vega-Lite take some 100 MB that the long-running sidecar should not keep. Reads
 * `{outputDir, site}` as JSON on stdin, prints `{durationMs}` on success.
 */
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => (input += chunk));
process.stdin.on('end', () => {
  const opts = JSON.parse(input) as { outputDir: string; site: SiteData };
  buildSite(opts).then(
    (result) => process.stdout.write(JSON.stringify(result)),
    (err: unknown) => {
      process.stderr.write(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
});
