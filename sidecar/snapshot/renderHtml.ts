import type { Block, SnapshotDoc, Table } from './document.js';
import { escapeHtml as h } from './escape.js';

/**
 * One self-contained HTML file: inline CSS, charts as inline SVG, no script, and nothing
 * that names another file or host, so it opens from disk or a wiki attachment as it is.
 * The CSP says so to the browser too: should anything slip in, it is not fetched.
 */
export function renderHtml(doc: SnapshotDoc): string {
  const nav = doc.sections.map((s) => `<a href="#${s.id}">${h(s.title)}</a>`).join(' · ');
  const body = doc.sections
    .map((s) => `<section id="${s.id}">\n<h2>${h(s.title)}</h2>\n${s.blocks.map(block).join('\n')}\n</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="referrer" content="no-referrer">
<title>${h(doc.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${h(doc.title)}</h1>
<nav>${nav}</nav>
</header>
<main>
${body}
</main>
</body>
</html>
`;
}

function block(b: Block): string {
  switch (b.kind) {
    case 'text':
      return `<p>${h(b.text)}</p>`;
    case 'table':
      return table(b.table);
    case 'chart':
      return `<figure id="chart-${b.chart.name}">\n<figcaption>${h(b.chart.title)}</figcaption>\n${inlineSvg(b.chart.svg, b.chart.alt)}\n</figure>`;
  }
}

function table(t: Table): string {
  const right = new Set(t.right ?? []);
  // Times are read whole: "2026-11-23T04:12:34Z" must not wrap at its hyphens.
  const times = new Set(t.columns.flatMap((c, i) => (c.endsWith('(UTC)') ? [i] : [])));
  const cls = (i: number) => (right.has(i) ? ' class="num"' : times.has(i) ? ' class="time"' : '');
  const head = `<thead><tr>${t.columns.map((c, i) => `<th scope="col"${cls(i)}>${h(c)}</th>`).join('')}</tr></thead>`;
  const rows = t.rows
    .map((r) => `<tr>${r.map((c, i) => (i === 0 && t.rowHeaders ? `<th scope="row">${h(c)}</th>` : `<td${cls(i)}>${h(c)}</td>`)).join('')}</tr>`)
    .join('\n');
  return `<div class="table"><table${t.rowHeaders ? ' class="facts"' : ''}>\n${head}\n<tbody>\n${rows}\n</tbody>\n</table></div>`;
}

/**
 * Inside HTML the parser puts <svg> in the SVG namespace by itself: the xmlns attributes
 * are dropped, so the file names no URL at all. The chart is labelled for screen readers.
 */
function inlineSvg(svg: string, alt: string): string {
  return svg.replace(/^<svg\b([^>]*)>/, (_m, attrs: string) => `<svg role="img" aria-label="${h(alt)}"${attrs.replace(/\s+xmlns(?::\w+)?="[^"]*"/g, '')}>`);
}

const CSS = `
:root { color-scheme: light; --fg: #1a1a1a; --muted: #5f5f5f; --line: #d9d9d9; --head: #f3f3f3; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 1rem 1.25rem 3rem; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
h1 { font-size: 1.5rem; margin: 0.5rem 0; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.75rem; padding-bottom: 0.25rem; border-bottom: 1px solid var(--line); }
nav { color: var(--muted); }
nav a { color: inherit; }
p { margin: 0.5rem 0; }
.table { overflow-x: auto; margin: 0.5rem 0 1rem; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
thead th { background: var(--head); }
table.facts thead { display: none; }
table.facts th { background: var(--head); font-weight: 600; white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; }
figcaption { font-weight: 600; margin-bottom: 0.25rem; }
figure svg { display: block; max-width: 100%; height: auto; }
@media print { body { max-width: none; } h2 { break-after: avoid; } figure, tr { break-inside: avoid; } }
`;
