import type { Spec } from 'vega';
import type { Live } from '../../sidecar/contract/index.js';
import { duration } from './format.js';
import { VegaView } from './vegaView.js';

const MiB = 1024 * 1024;

interface Row {
  t: number;
  instance: string;
  mibps: number;
}

/** The throughput chart: a step line per rclone instance over the live window. */
export class ThroughputChart {
  private readonly view: VegaView;
  /** The live.json last shown (in words at least) and the right edge last drawn. */
  private drawn: { live: Live; end: number } | null = null;

  constructor(
    container: HTMLElement,
    spec: Spec,
    private readonly describe: HTMLElement,
    /** Shown in words when the window holds no upload at all: a flat line at 0 says little at a glance. */
    private readonly quiet?: HTMLElement,
  ) {
    this.view = new VegaView(container, spec);
  }

  /**
   * `end` is where the lines stop: now while the sidecar is alive, its last heartbeat once
   * it has stopped (drawing the last speed up to now would claim uploads it never saw).
   */
  update(live: Live, end = Date.now()): void {
    // The chart moves on in steps of 1/120 of its window (5 s of 10 min), new data or not:
    // a point every poll would re-lay out a wall screen's SVG every 2 s for a change a
    // 300th of its width. The figures beside it follow every poll; the line, within a step.
    const step = (live.throughput.windowSeconds * 1000) / 120;
    const due = !this.drawn || end < this.drawn.end || end - this.drawn.end >= step;
    if (!due && this.drawn!.live === live) return;
    const rows = toRows(live, end);
    if (due) {
      // The time axis always spans the whole window, however little data there is.
      this.view.update(rows, { xmin: end - live.throughput.windowSeconds * 1000, xmax: end });
      this.drawn = { live, end };
    } else {
      this.drawn = { live, end: this.drawn!.end };
    }
    this.words(live, rows);
  }

  /** The words beside the chart say what it shows: they change with it. */
  private words(live: Live, rows: Row[]): void {
    if (this.quiet) {
      const nothing = rows.every((r) => r.mibps === 0);
      const words = `Nothing uploaded in the last ${duration(live.throughput.windowSeconds)}.`;
      if (this.quiet.hidden === nothing) this.quiet.hidden = !nothing;
      if (this.quiet.textContent !== words) this.quiet.textContent = words;
    }
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
