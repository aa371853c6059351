import { View, changeset, parse, type Spec } from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import { uses12Hour } from './format.js';

const dark = () => window.matchMedia('(prefers-color-scheme: dark)').matches;

/** Colours that read on the page's light and dark backgrounds. */
export function chartTheme() {
  const text = dark() ? '#c9d1d9' : '#57606a';
  const grid = dark() ? '#30363d' : '#e1e4e8';
  return {
    axis: { labelColor: text, titleColor: text, gridColor: grid, domainColor: grid, tickColor: grid },
    legend: { labelColor: text, titleColor: text },
    title: { color: text },
    range: { category: ['#1f6feb', '#e36209', '#2da44e', '#8250df', '#bf3989', '#0a7e83'] },
  };
}

type Tuple = Record<string, unknown>;

/**
 * One Vega view per chart, created on first data and updated in place afterwards, so the
 * chart never flickers or re-embeds. Vega parses to an AST and runs it with the
 * interpreter: no eval, which a strict Content-Security-Policy forbids.
 *
 * New rows are written into the tuples the view already holds (a changeset `modify`),
 * never swapped for fresh ones: Vega remembers every tuple id a derived data set has seen
 * (its Relay keeps `lut[id] = null` for each removed tuple), so replacing all rows on
 * every poll grew a kiosk's heap by megabytes an hour. Tuples that fall out are kept
 * aside and put back later with their ids, so the ids a chart ever uses are bounded by
 * its largest row count.
 */
export class VegaView {
  private view: View | null = null;
  /** Per data set: the tuples in the view (the first `shown`) and those kept aside after them. */
  private readonly pools = new Map<string, { tuples: Tuple[]; shown: number }>();

  constructor(
    private readonly container: HTMLElement,
    private readonly spec: Spec,
  ) {}

  /**
   * Replaces the rows of a named data set, sets signals, and redraws — only if a row or a
   * signal differs from what the view holds: a wall screen re-laying out an unchanged
   * chart every poll and every tick spends its CPU saying nothing new.
   */
  update(rows: object[], signals: Record<string, unknown> = {}, dataset = 'table'): void {
    if (!this.view) {
      this.view = new View(parse(this.spec, chartTheme(), { ast: true }), {
        expr: expressionInterpreter,
        renderer: 'svg',
        container: this.container,
        hover: false,
      });
      // Specs that label times declare an hour12 signal; the viewer's locale decides it.
      if (this.spec.signals?.some((s) => s.name === 'hour12')) this.view.signal('hour12', uses12Hour());
    }
    let moved = !this.drawn.has(dataset);
    this.drawn.add(dataset);
    for (const [name, value] of Object.entries(signals)) {
      if (this.view.signal(name) === value) continue;
      this.view.signal(name, value);
      moved = true;
    }
    const cs = this.changes(dataset, rows as Tuple[]);
    if (!cs) {
      if (moved) this.view.run();
      return;
    }
    this.view.change(dataset, cs).run();
  }

  /** Data sets given at least once: the first update always runs, even with no rows. */
  private readonly drawn = new Set<string>();

  /** The changeset from the view's rows to `rows`, or null when they are the same. */
  private changes(dataset: string, rows: Tuple[]) {
    const pool = this.pools.get(dataset) ?? { tuples: [], shown: 0 };
    this.pools.set(dataset, pool);
    const cs = changeset();
    let changed = rows.length !== pool.shown;
    const kept = Math.min(pool.shown, rows.length);
    for (let i = 0; i < kept; i++) {
      const t = pool.tuples[i]!;
      const row = rows[i]!;
      for (const k of Object.keys(row))
        if (t[k] !== row[k]) {
          cs.modify(t, k, row[k]);
          changed = true;
        }
      for (const k of Object.keys(t))
        if (!(k in row) && t[k] !== undefined) {
          cs.modify(t, k, undefined);
          changed = true;
        }
    }
    if (!changed) return null;
    if (rows.length > pool.shown) {
      const back: Tuple[] = [];
      for (let i = pool.shown; i < rows.length; i++) {
        // A tuple out of the view is not Vega's: its fields are set directly.
        const t = pool.tuples[i] ?? {};
        for (const k of Object.keys(t)) delete t[k];
        Object.assign(t, rows[i]);
        pool.tuples[i] = t;
        back.push(t);
      }
      cs.insert(back);
    } else if (rows.length < pool.shown) {
      cs.remove(pool.tuples.slice(rows.length, pool.shown));
    }
    pool.shown = rows.length;
    return cs;
  }

  /** Frees the view's listeners and timers (a kiosk runs for weeks). */
  finalize(): void {
    this.view?.finalize();
    this.view = null;
    this.pools.clear();
    this.drawn.clear();
  }
}

/** Reads a compiled spec that the build put in the page as a JSON script element. */
export function specFrom(id: string): Spec {
  return JSON.parse(document.getElementById(id)!.textContent!) as Spec;
}
