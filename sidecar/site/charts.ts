import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { projectRoot } from '../projectRoot.js';
import { compileChart } from './compileChart.js';

const chartsDir = path.join(projectRoot, 'src', 'charts');

/**
 * Vega-Lite specs compiled to Vega when the site is built: the browser then needs only
 * the Vega runtime.
 */
export function compileCharts(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const file of readdirSync(chartsDir).filter((f) => f.endsWith('.vl.json'))) {
    const spec = JSON.parse(readFileSync(path.join(chartsDir, file), 'utf8')) as TopLevelSpec;
    out[file.replace(/\.vl\.json$/, '')] = compileChart(spec);
  }
  return out;
}
