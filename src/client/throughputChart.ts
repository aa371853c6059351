import { View, changeset, parse, type Spec } from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import type { Live } from '../../sidecar/contract/index.js';
import { duration, uses12Hour } from './format.js';

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

  /**
   * `end` is where the lines stop: now while the sidecar is alive, its last heartbeat once
   * it has stopped (drawing the last speed up to now would claim uploads it never saw).
   */
  update(live: Live, end = Date.now()): void {
    const rows = toRows(live, end);
    if (!this.view) {
      this.view = new View(parse(this.spec, theme(), { ast: true }), {
        expr: expressionInterpreter,
        renderer: 'svg',
        container: this.container,
        hover: false,
      });
      this.view.signal('hour12', uses12Hour());
    }
    // The time axis always spans the whole window, however little data there is.
    this.view.signal('xmin', end - live.throughput.windowSeconds * 1000).signal('xmax', end);
    this.view.change('table', changeset().remove(() => true).insert(rows)).run();
    const current = live.instances.map((i) => `${i.name} ${(i.speed / MiB).toFixed(1)} MiB/s`).join(', ');
    const text = `Upload throughput over the last ${duration(live.throughput.windowSeconds)}. Now: ${current || 'no rclone instance'}.`;
    if (this.describe.textContent !== text) this.describe.textContent = text;
  }
}

/**
 * A step line: each value holds until the next point of its instance, and the last one
 * up to `end`. Of the points before the window only the last matters: it is the value
 * the window opens with.
 */
export function toRows(live: Live, end: number): Row[] {
  const start = end - live.throughput.windowSeconds * 1000;
  const opening = new Map<string, Row>();
  const inside: Row[] = [];
  const last = new Map<string, Row>();
  for (const p of live.throughput.points) {
    const row = { t: Date.parse(p.t), instance: p.instance, mibps: p.bytesPerSecond / MiB };
    if (row.t > end) continue;
    if (row.t <= start) opening.set(p.instance, { ...row, t: start });
    else inside.push(row);
    const prev = last.get(p.instance);
    if (!prev || row.t >= prev.t) last.set(p.instance, row);
  }
  const rows = [...opening.values(), ...inside];
  for (const row of last.values()) rows.push({ ...row, t: end });
  return rows;
}
