import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Every value axis unions its data with [0, 1] so that an all-zero series still reads in
 * round numbers; in a layered chart Vega-Lite then warns that the layers' domains differ
 * and takes their union, which is what is wanted. That one warning is expected and
 * dropped; any other still reaches stderr.
 */
const EXPECTED = /^Conflicting scale property "domains" .*Using the union of the two domains\.$/;

const logger = {
  level() {
    return logger;
  },
  warn(...args: unknown[]) {
    const text = args.map(String).join(' ');
    if (!EXPECTED.test(text)) process.stderr.write(`WARN ${text}\n`);
    return logger;
  },
  info() {
    return logger;
  },
  debug() {
    return logger;
  },
  error(...args: unknown[]) {
    process.stderr.write(`ERROR ${args.map(String).join(' ')}\n`);
    return logger;
  },
};

/** A Vega-Lite spec compiled to Vega, without the $schema URL, so nothing names another host. */
export function compileChart(spec: TopLevelSpec): Record<string, unknown> {
  const { $schema: _drop, ...vega } = compile(spec, { logger }).spec;
  return vega;
}
