/**
 * Prometheus' text exposition format (0.0.4), as node_exporter's textfile collector reads
 * it. plowboard writes one small file per heartbeat; a metrics library keeps a registry of
 * objects for a scrape endpoint plowboard does not have, and building one per write was the
 * largest cost of an idle sidecar. File and account names are untrusted: label values and
 * help text are escaped as the format says.
 */
export type Labels = Readonly<Record<string, string>>;
export type Sample = readonly [labels: Labels | null, value: number];

const escapeHelp = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function formatValue(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

function formatLabels(labels: Labels | null): string {
  if (!labels) return '';
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** Metric families in the order added, each with its HELP and TYPE lines, then a blank line. */
export class PromText {
  private readonly blocks: Array<{ text: string; volatile: boolean }> = [];

  /** `volatile`: a family that moves on every render (a timestamp, a latency), left out of `stable()`. */
  add(name: string, type: 'gauge' | 'counter', help: string, samples: Iterable<Sample>, opts: { volatile?: boolean } = {}): this {
    const lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];
    for (const [labels, value] of samples) lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
    this.blocks.push({ text: lines.join('\n'), volatile: opts.volatile ?? false });
    return this;
  }

  toString(): string {
    return this.blocks.length ? `${this.blocks.map((b) => b.text).join('\n\n')}\n` : '';
  }

  /** The text without its volatile families: what decides whether the file says anything new. */
  stable(): string {
    return this.blocks
      .filter((b) => !b.volatile)
      .map((b) => b.text)
      .join('\n\n');
  }
}
