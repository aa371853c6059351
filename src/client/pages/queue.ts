import type { Distribution, SizeDistribution } from '../../../sidecar/contract/index.js';
import { byId, el } from '../dom.js';
import { ago, bytes, dateTime } from '../format.js';
import { headerStatus } from '../headerStatus.js';
import { startPage } from '../startPage.js';
import { VegaView, specFrom } from '../vegaView.js';

type Uploader = Distribution['uploaders'][number];
type Source = 'queue' | 'history';
type Measure = 'count' | 'bytes';

const PERCENTILES = ['p50', 'p75', 'p90', 'p95', 'p99'] as const;
const CONFIDENCE: Record<SizeDistribution['confidence'], string> = { low: 'low', medium: 'medium', high: 'high', very_high: 'very high' };

const spec = specFrom('spec-sizes');

/** One section per uploader, made once and updated in place; its two charts are views kept with it. */
interface Section {
  node: HTMLElement;
  charts: Record<Measure, { view: VegaView; desc: HTMLElement }>;
  table: HTMLTableSectionElement;
}
const sections = new Map<string, Section>();
let made = 0;

function section(name: string): Section {
  const existing = sections.get(name);
  if (existing) return existing;
  const id = `up${made++}`;
  const chart = (measure: Measure) => {
    const host = el('div', { class: 'chart chart-sizes', role: 'img', 'aria-label': `${name}: share of ${measure === 'count' ? 'files' : 'bytes'} per size, queue and history`, 'aria-describedby': `${id}-${measure}-desc` });
    const desc = el('p', { class: 'visually-hidden', id: `${id}-${measure}-desc` });
    return { host, desc, fig: el('figure', { class: 'sizes-fig', 'data-measure': measure }, el('figcaption', { text: measure === 'count' ? 'By count (% of files)' : 'By bytes (% of bytes)' }), host, desc) };
  };
  const count = chart('count');
  const byBytes = chart('bytes');
  const table = el('tbody');
  const node = el(
    'section',
    { class: 'panel uploader', 'aria-labelledby': `${id}-h`, 'data-uploader': name },
    el('h2', { id: `${id}-h`, text: name }),
    el('div', { class: 'split' }, count.fig, byBytes.fig),
    el(
      'div',
      { class: 'table-wrap' },
      el('table', { class: 'percentiles' }, el('caption', { class: 'visually-hidden', text: `${name}: file-size figures, queue and history` }), el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Figure' }), el('th', { scope: 'col', text: 'Queue' }), el('th', { scope: 'col', text: 'History' }))), table),
    ),
  );
  const s: Section = {
    node,
    charts: { count: { view: new VegaView(count.host, spec), desc: count.desc }, bytes: { view: new VegaView(byBytes.host, spec), desc: byBytes.desc } },
    table,
  };
  sections.set(name, s);
  return s;
}

function rows(u: Uploader, measure: Measure): object[] {
  return (['queue', 'history'] as Source[]).flatMap((source) =>
    (u[source]?.buckets ?? []).map((b, order) => ({ label: b.label, order, source, percent: measure === 'count' ? b.countPercent : b.bytesPercent })),
  );
}

function describe(u: Uploader, measure: Measure): string {
  const part = (source: Source) => {
    const d = u[source];
    if (!d || !d.buckets.length) return `${source}: no figures`;
    return `${source}: ${d.buckets.map((b) => `${b.label} ${(measure === 'count' ? b.countPercent : b.bytesPercent).toFixed(1)} %`).join(', ')}`;
  };
  return `Share of ${measure === 'count' ? 'files' : 'bytes'} per size bucket for ${u.name}. ${part('queue')}. ${part('history')}.`;
}

const FIGURES: Array<[string, (d: SizeDistribution) => string]> = [
  ...PERCENTILES.map((p): [string, (d: SizeDistribution) => string] => [p, (d) => bytes(d.percentiles[p])]),
  ['files sampled', (d) => `${d.sampleCount} of ${d.totalFiles}`],
  ['total size', (d) => bytes(d.totalBytes)],
  ['largest file', (d) => bytes(d.maxFileSize)],
  ['confidence', (d) => CONFIDENCE[d.confidence]],
  ['figures from', (d) => (d.updatedAt ? ago(d.updatedAt) : 'not known')],
];

function renderTable(s: Section, u: Uploader): void {
  const key = JSON.stringify([u.queue, u.history]);
  if (s.table.dataset.key === key) return;
  s.table.dataset.key = key;
  s.table.replaceChildren(
    ...FIGURES.map(([label, value]) =>
      el(
        'tr',
        { 'data-figure': label },
        el('th', { scope: 'row', text: label }),
        ...(['queue', 'history'] as Source[]).map((source) => {
          const d = u[source];
          // "figures from" is an age: it keeps ticking, so its time stays on the cell.
          return el('td', { class: 'num', text: d ? value(d) : '—', 'data-at': label === 'figures from' ? d?.updatedAt : undefined, title: label === 'figures from' && d ? dateTime(d.updatedAt) : undefined });
        }),
      ),
    ),
  );
}

function render(d: Distribution): void {
  byId('queue-empty').hidden = d.uploaders.length > 0;
  const container = byId('uploaders');
  const names = new Set(d.uploaders.map((u) => u.name));
  for (const [name, s] of sections) {
    if (names.has(name)) continue;
    s.charts.count.view.finalize();
    s.charts.bytes.view.finalize();
    sections.delete(name);
  }
  // Sections go into the page before their charts draw: a chart sized to its container
  // measures 0 px wide while the container is not in the document.
  const nodes = d.uploaders.map((u) => section(u.name).node);
  if (nodes.length !== container.children.length || nodes.some((n, i) => container.children[i] !== n)) container.replaceChildren(...nodes);
  for (const u of d.uploaders) {
    const s = section(u.name);
    for (const measure of ['count', 'bytes'] as Measure[]) {
      s.charts[measure].view.update(rows(u, measure));
      const text = describe(u, measure);
      if (s.charts[measure].desc.textContent !== text) s.charts[measure].desc.textContent = text;
    }
    renderTable(s, u);
  }
}

function tickAges(): void {
  for (const cell of document.querySelectorAll<HTMLElement>('#uploaders [data-at]')) {
    const text = ago(cell.dataset.at);
    if (cell.textContent !== text) cell.textContent = text;
  }
}

startPage({
  files: ['distribution'],
  status: headerStatus({ name: 'Queue' }),
  onData: (_name, data) => render(data as Distribution),
  tick: tickAges,
});
