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

/**
 * One Vega view per chart, created on first data and fed new rows through a changeset
 * afterwards, so the chart updates in place without flicker. Vega parses to an AST and
 * runs it with the interpreter: no eval, which a strict Content-Security-Policy forbids.
 */
export class VegaView {
  private view: View | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly spec: Spec,
  ) {}

  /** Replaces the rows of a named data set, sets signals, and redraws. */
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
    for (const [name, value] of Object.entries(signals)) this.view.signal(name, value);
    this.view.change(dataset, changeset().remove(() => true).insert(rows)).run();
  }

  /** Frees the view's listeners and timers (a kiosk runs for weeks). */
  finalize(): void {
    this.view?.finalize();
    this.view = null;
  }
}

/** Reads a compiled spec that the build put in the page as a JSON script element. */
export function specFrom(id: string): Spec {
  return JSON.parse(document.getElementById(id)!.textContent!) as Spec;
}
