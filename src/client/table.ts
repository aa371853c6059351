import { el } from './dom.js';

/** One column: its header, how it sorts, how it fills a cell. */
export interface Column<T> {
  id: string;
  label: string;
  /** What the column sorts by; without it the column does not sort. Nulls sort last either way. */
  sort?: (row: T) => number | string | null;
  /**
   * Fills a cell. It is called again with the same cell on every render, so it must
   * write only what changed (`setCell` does that for text).
   */
  render: (td: HTMLTableCellElement, row: T) => void;
  className?: string;
  /** The cell that names the row: a <th scope="row">. */
  rowHeader?: boolean;
}

export interface TableOptions<T> {
  table: HTMLTableElement;
  pager: HTMLElement;
  /** "Showing 1–50 of 120 transfers": an aria-live element. */
  status: HTMLElement;
  /** Plural noun for the status line. */
  noun: string;
  columns: Column<T>[];
  key: (row: T) => string;
  pageSize?: number;
  sort?: { column: string; descending: boolean };
  rowClass?: (row: T) => string;
  /** Called after each render: the page may show an empty state or update counts. */
  onRender?: (shown: number, matching: number, total: number) => void;
}

interface RenderedRow {
  tr: HTMLTableRowElement;
  cells: HTMLTableCellElement[];
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * A table of many rows that filters, searches, sorts and pages in the browser. It keeps
 * one <tr> per row of the current page, keyed, and a poll only rewrites the cells whose
 * text changed: with 1,000 service accounts and a poll every two seconds, nothing is
 * rebuilt and nothing reflows that did not change.
 */
export class DataTable<T> {
  private rows: T[] = [];
  private matches: (row: T) => boolean = () => true;
  private view: T[] = [];
  private page = 0;
  private sortBy: { column: string; descending: boolean } | null;
  private rendered = new Map<string, RenderedRow>();
  private readonly tbody: HTMLTableSectionElement;
  private readonly headers = new Map<string, HTMLTableCellElement>();
  readonly pageSize: number;

  constructor(private readonly opts: TableOptions<T>) {
    this.pageSize = opts.pageSize ?? 50;
    this.sortBy = opts.sort ?? null;
    this.tbody = opts.table.tBodies[0] ?? opts.table.createTBody();
    this.buildHead();
  }

  /** New data (a poll). The filter, sort and page stay as the reader left them. */
  setRows(rows: T[]): void {
    this.rows = rows;
    this.render();
  }

  /** A new filter or search: back to the first page. */
  setFilter(matches: (row: T) => boolean): void {
    this.matches = matches;
    this.page = 0;
    this.render();
  }

  /** Every row that passes the filter, in the shown order, across all pages. */
  visible(): readonly T[] {
    return this.view;
  }

  /** The page shown, counted from 0, and how many there are. */
  pages(): { page: number; count: number } {
    return { page: this.page, count: Math.max(1, Math.ceil(this.view.length / this.pageSize)) };
  }

  goTo(page: number): void {
    this.page = page;
    this.render();
  }

  /** Re-renders the cells of the shown rows only (a clock ticking), without filtering or sorting again. */
  refresh(): void {
    const rows = [...this.rendered.values()];
    this.pageRows().forEach((row, i) => rows[i] && this.fill(rows[i], row));
  }

  render(): void {
    this.view = this.rows.filter(this.matches);
    const column = this.sortBy && this.opts.columns.find((c) => c.id === this.sortBy!.column);
    if (column?.sort) {
      const value = column.sort;
      const dir = this.sortBy!.descending ? -1 : 1;
      const keyed = this.view.map((row) => ({ row, v: value(row) }));
      // Nulls last in either direction: "unknown" is never the biggest or the smallest.
      keyed.sort((a, b) => (a.v === null ? (b.v === null ? 0 : 1) : b.v === null ? -1 : dir * compare(a.v, b.v)));
      this.view = keyed.map((k) => k.row);
    }
    const { count } = this.pages();
    this.page = Math.min(Math.max(0, this.page), count - 1);

    const next = new Map<string, RenderedRow>();
    const trs = this.pageRows().map((row, i) => {
      let key = this.opts.key(row);
      // Two rows with one key (the same file twice in flight) still get a row each.
      if (next.has(key)) key += `\u0000${i}`;
      const r = this.rendered.get(key) ?? this.createRow();
      next.set(key, r);
      this.fill(r, row);
      return r.tr;
    });
    this.rendered = next;
    const children = this.tbody.children;
    if (trs.length !== children.length || trs.some((tr, i) => children[i] !== tr)) this.tbody.replaceChildren(...trs);
    this.renderPager();
    this.renderStatus();
    this.opts.onRender?.(trs.length, this.view.length, this.rows.length);
  }

  private pageRows(): T[] {
    return this.view.slice(this.page * this.pageSize, (this.page + 1) * this.pageSize);
  }

  private createRow(): RenderedRow {
    const cells = this.opts.columns.map((c) => {
      const cell = document.createElement(c.rowHeader ? 'th' : 'td');
      if (c.rowHeader) cell.setAttribute('scope', 'row');
      if (c.className) cell.className = c.className;
      // Names the value when a phone stacks the cells (see site.css).
      cell.dataset.label = c.label;
      return cell;
    });
    return { tr: el('tr', {}, ...cells), cells };
  }

  private fill(r: RenderedRow, row: T): void {
    const cls = this.opts.rowClass?.(row) ?? '';
    if (r.tr.className !== cls) r.tr.className = cls;
    this.opts.columns.forEach((c, i) => c.render(r.cells[i]!, row));
  }

  private buildHead(): void {
    const head = this.opts.table.tHead ?? this.opts.table.createTHead();
    const tr = el('tr');
    for (const c of this.opts.columns) {
      const th = el('th', { scope: 'col', class: c.className ?? null });
      if (c.sort) {
        const button = el('button', { type: 'button', class: 'sort' }, c.label, el('span', { class: 'arrow', 'aria-hidden': 'true' }));
        button.addEventListener('click', () => this.sortOn(c.id));
        th.append(button);
      } else th.textContent = c.label;
      this.headers.set(c.id, th);
      tr.append(th);
    }
    head.replaceChildren(tr);
    this.markSort();
  }

  /** A first click sorts numbers and times biggest first and text A to Z; a second click turns it round. */
  private sortOn(id: string): void {
    const column = this.opts.columns.find((c) => c.id === id)!;
    if (this.sortBy?.column === id) this.sortBy = { column: id, descending: !this.sortBy.descending };
    else {
      const sample = this.rows.map(column.sort!).find((v) => v !== null);
      this.sortBy = { column: id, descending: typeof sample === 'number' };
    }
    this.markSort();
    this.page = 0;
    this.render();
  }

  private markSort(): void {
    for (const [id, th] of this.headers) {
      const sorted = this.sortBy?.column === id;
      if (sorted) th.setAttribute('aria-sort', this.sortBy!.descending ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
      const arrow = th.querySelector('.arrow');
      if (arrow) arrow.textContent = sorted ? (this.sortBy!.descending ? ' ▼' : ' ▲') : '';
    }
  }

  private renderPager(): void {
    const { page, count } = this.pages();
    const pager = this.opts.pager;
    pager.hidden = count <= 1;
    let prev = pager.querySelector<HTMLButtonElement>('button.prev');
    if (!prev) {
      prev = el('button', { type: 'button', class: 'prev', text: '← Previous' });
      const next = el('button', { type: 'button', class: 'next', text: 'Next →' });
      prev.addEventListener('click', () => this.goTo(this.page - 1));
      next.addEventListener('click', () => this.goTo(this.page + 1));
      pager.replaceChildren(prev, el('span', { class: 'where' }), next);
    }
    prev.disabled = page === 0;
    pager.querySelector<HTMLButtonElement>('button.next')!.disabled = page >= count - 1;
    const where = pager.querySelector('.where')!;
    const text = `Page ${page + 1} of ${count}`;
    if (where.textContent !== text) where.textContent = text;
  }

  private renderStatus(): void {
    const n = this.view.length;
    const from = this.page * this.pageSize;
    const of = n === this.rows.length ? `${n} ${this.opts.noun}` : `${n} matching of ${this.rows.length} ${this.opts.noun}`;
    const text = n === 0 ? (this.rows.length ? `No ${this.opts.noun} match (of ${this.rows.length}).` : `No ${this.opts.noun}.`) : n <= this.pageSize ? `${of}.` : `Showing ${from + 1}–${Math.min(n, from + this.pageSize)} of ${of}.`;
    if (this.opts.status.textContent !== text) this.opts.status.textContent = text;
  }
}

function compare(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

/** Writes a cell's text (and title) only when it differs: an unchanged cell is not touched. */
export function setCell(td: HTMLElement, text: string, title?: string): void {
  if (td.textContent !== text) td.textContent = text;
  if (title !== undefined && td.title !== title) td.title = title;
}

/** Case- and accent-blind "contains" over a few fields; an empty search matches everything. */
export function searchMatcher(query: string): (...fields: Array<string | null | undefined>) => boolean {
  const q = fold(query.trim());
  return (...fields) => !q || fields.some((f) => f != null && fold(f).includes(q));
}

const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/**
 * A row of radio buttons that filters by one field, each option with its count:
 * "All (120) · OK (100) · Failed (20)". Keyboard: arrow keys move within the group.
 */
export class Choices<V extends string> {
  private readonly counts = new Map<V | 'all', HTMLElement>();
  value: V | 'all' = 'all';

  constructor(
    container: HTMLElement,
    name: string,
    options: Array<[value: V, label: string]>,
    onChange: (value: V | 'all') => void,
  ) {
    const all: Array<[V | 'all', string]> = [['all', 'All'], ...options];
    container.replaceChildren(
      ...(container.querySelector('legend') ? [container.querySelector('legend')!] : []),
      ...all.map(([value, label]) => {
        const input = el('input', { type: 'radio', name, value, checked: value === 'all' });
        input.addEventListener('change', () => {
          if (!input.checked) return;
          this.value = value;
          onChange(value);
        });
        const count = el('span', { class: 'n' });
        this.counts.set(value, count);
        return el('label', { class: 'choice', 'data-value': value }, input, ` ${label} `, count);
      }),
    );
  }

  setCounts(counts: Partial<Record<V | 'all', number>>): void {
    for (const [value, node] of this.counts) {
      const text = `(${counts[value] ?? 0})`;
      if (node.textContent !== text) node.textContent = text;
    }
  }
}

/** Counts rows by a field, with the total under 'all'. */
export function countBy<T, V extends string>(rows: readonly T[], field: (row: T) => V): Partial<Record<V | 'all', number>> {
  const counts: Partial<Record<V | 'all', number>> = { all: rows.length } as Partial<Record<V | 'all', number>>;
  for (const row of rows) {
    const v = field(row);
    counts[v] = (counts[v] ?? 0) + 1;
  }
  return counts;
}
