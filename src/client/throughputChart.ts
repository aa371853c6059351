import { View, changeset, parse, type Spec } from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import type { Live } from '../../sidecar/contract/index.js';

const MiB = 1024 * 1024;

interface Row {
  t: number;
  instance: string;
  mibps: number;
}

const dark = () => window.matchMedia('(prefers-color-scheme: dark)').matches;

function theme() {
  const text = dark() ? '#c9d1d9' : '#57606a';
  const grid = dark() ? '#30363d' : '#e1e4e8';
  return {
    axis: { labelColor: text, titleColor: text, gridColor: grid, domainColor: grid, tickColor: grid },
    legend: { labelColor: text },
    range: { category: ['#1f6feb', '#e36209', '#2da44e', '#8250df', '#bf3989', '#0a7e83'] },
  };
}

/**
 * One Vega view, created once and fed new rows through a changeset, so the chart updates
 * in place. Vega parses to an AST and runs it with the interpreter: no eval, which a
 * strict Content-Security-Policy forbids.
 */
export class ThroughputChart {
  private view: View | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly spec: Spec,
    private readonly describe: HTMLElement,
  ) {}

  update(live: Live, now = Date.now()): void {
    const rows = toRows(live, now);
    if (!this.view) {
      this.view = new View(parse(this.spec, theme(), { ast: true }), {
        expr: expressionInterpreter,
        renderer: 'svg',
        container: this.container,
        hover: false,
      });
    }
    // The time axis always spans the whole window, up to now, however little data there is.
    this.view.signal('xmin', now - live.throughput.windowSeconds * 1000).signal('xmax', now);
    this.view.change('table', changeset().remove(() => true).insert(rows)).run();
    const current = live.instances.map((i) => `${i.name} ${(i.speed / MiB).toFixed(1)} MiB/s`).join(', ');
    this.describe.textContent = `Upload throughput over the last ${Math.round(live.throughput.windowSeconds / 60)} minutes. Now: ${current || 'no instances'}.`;
  }
}

/** A step line: each value holds until the next point, up to now; older points start at the window's edge. */
function toRows(live: Live, now: number): Row[] {
  const start = now - live.throughput.windowSeconds * 1000;
  const rows: Row[] = [];
  const last = new Map<string, Row>();
  for (const p of live.throughput.points) {
    const row = { t: Math.max(start, Date.parse(p.t)), instance: p.instance, mibps: p.bytesPerSecond / MiB };
    rows.push(row);
    last.set(p.instance, row);
  }
  for (const row of last.values()) rows.push({ ...row, t: Math.max(row.t, now) });
  return rows;
}
