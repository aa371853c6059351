import type { Block, SnapshotDoc, Table } from './document.js';
import { escapeMarkdown as md } from './escape.js';

/**
 * GitHub-flavoured Markdown: plain pipe tables and images, nothing a wiki (GitLab, Gitea,
 * Wiki.js, BookStack) renders differently. Charts are SVG files in `chartsDir` beside it.
 */
export function renderMarkdown(doc: SnapshotDoc, chartsDir: string): string {
  const block = (b: Block): string => {
    switch (b.kind) {
      case 'text':
        return md(b.text);
      case 'table':
        return table(b.table);
      case 'chart':
        // The folder name is ours (a time stamp), never untrusted; the caption is escaped.
        return `**${md(b.chart.title)}**\n\n![${md(b.chart.alt)}](${chartsDir}/${b.chart.name}.svg)`;
    }
  };
  const parts = [`# ${md(doc.title)}`, doc.sections.map((s) => `[${md(s.title)}](#${slug(s.title)})`).join(' · ')];
  for (const s of doc.sections) parts.push(`## ${md(s.title)}`, ...s.blocks.map(block));
  return `${parts.join('\n\n')}\n`;
}

function table(t: Table): string {
  const right = new Set(t.right ?? []);
  const cell = (c: string, i: number) => (i === 0 && t.rowHeaders && c ? `**${md(c)}**` : md(c));
  const row = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${t.columns.map((_c, i) => (right.has(i) ? ' ---: ' : ' --- ')).join('|')}|`;
  return [row(t.columns), rule, ...t.rows.map((r) => row(r))].join('\n');
}

/** The anchor GitHub, GitLab and Gitea give a heading; section titles are ours, plain words. */
const slug = (title: string) => title.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
