import { describe, expect, it } from 'vitest';
import type { Summary } from '../../sidecar/contract/index.js';
import { buildDocument } from '../../sidecar/snapshot/document.js';
import { renderHtml } from '../../sidecar/snapshot/renderHtml.js';
import { renderMarkdown } from '../../sidecar/snapshot/renderMarkdown.js';
import { sampleData } from '../helpers/sampleOutput.js';

const NOW = Date.parse('2026-11-23T04:12:34.567Z');
const TIME = new Date(NOW).toISOString();
const HOSTILE_ZONE = '<img src=x onerror=alert(1)>|`*';

describe('the totals of a snapshot', () => {
  it('are one table row per period in Markdown and HTML, with what summary.json says, every string escaped', () => {
    const summary = structuredClone(sampleData({ now: NOW }).summary) as Summary;
    // The zone name is read from the machine; a snapshot treats it as untrusted text like any other.
    summary.timeZone.name = HOSTILE_ZONE;
    summary.periods.today.refusals = 7;
    summary.periods.today.saChanges = 3;
    const doc = buildDocument({ summary }, [], { time: TIME, leftOut: [], redacted: false });
    expect(doc.sections.map((s) => s.id)).toEqual(['summary', 'totals']);

    const md = renderMarkdown(doc, 'charts');
    const rows = md.split('\n').filter((l) => /^\| (Today|Yesterday|This week|Last week|This month|Last 30 days) \|/.test(l));
    expect(rows).toHaveLength(6);
    // Eight columns: the pipe in the zone name never splits a row, and no row is split.
    for (const r of rows) expect(r.split(/(?<!\\)\|/).length).toBe(10);
    const utc = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');
    const { from, to } = summary.periods.today;
    expect(rows[0]).toMatch(new RegExp(`^\\| Today \\| ${utc(from)} – ${utc(to)} \\| [\\d.]+ GiB \\| \\d+ \\| \\d+ \\| 3 \\| 7 \\| `));
    expect(md).not.toContain('<img');

    const html = renderHtml(doc);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toMatch(/<th[^>]*>Today<\/th>|<td[^>]*>Today<\/td>/);
  });
});
