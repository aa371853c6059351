import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compile, type TopLevelSpec } from 'vega-lite';
import { projectRoot } from '../projectRoot.js';

const chartsDir = path.join(projectRoot, 'src', 'charts');

/**
 * Vega-Lite specs compiled to Vega when the site is built: the browser then needs only
 * the Vega runtime. The $schema URL is dropped so nothing in the output names another host.
 */
export function compileCharts(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const file of readdirSync(chartsDir).filter((f) => f.endsWith('.vl.json'))) {
    const spec = JSON.parse(readFileSync(path.join(chartsDir, file), 'utf8')) as TopLevelSpec;
    const { $schema: _drop, ...vega } = compile(spec).spec;
    out[file.replace(/\.vl\.json$/, '')] = vega;
  }
  return out;
}
