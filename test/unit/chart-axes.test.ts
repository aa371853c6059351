import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { View, parse } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { dailySpec, historySpec, sizesSpec, throughputSpec } from '../../sidecar/snapshot/chartSpecs.js';

/**
 * Every chart of every page, drawn by Vega itself from the spec the site ships, with no
 * data, one point and a flat line: its value axis must read in round numbers. An all-zero
 * series once gave a lone `0.000000` tick, which tells a newcomer nothing.
 */
const dir = path.join('src', 'charts');
const specs = readdirSync(dir).filter((f) => f.endsWith('.vl.json'));
const now = Date.UTC(2026, 11, 2, 12, 0, 0);

type Field = { field: string; type: string };

/** The fields a spec encodes, found in its encodings (layers included). */
function fieldsOf(spec: unknown): Field[] {
  const out = new Map<string, Field>();
  const walk = (o: unknown) => {
    if (Array.isArray(o)) o.forEach(walk);
    else if (o && typeof o === 'object') {
      const r = o as Record<string, unknown>;
      if (typeof r.field === 'string' && typeof r.type === 'string') out.set(r.field, { field: r.field, type: r.type });
      Object.values(r).forEach(walk);
    }
  };
  walk(spec);
  return [...out.values()];
}

/** Rows of one chart: `n` rows, every measure `value`, ten minutes apart, one series. */
function rows(fields: Field[], n: number, value: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => {
    const t = now - (n - i) * 600_000;
    return Object.fromEntries(
      fields.map(({ field, type }) => [
        field,
        type === 'quantitative' ? value : type === 'temporal' ? (field === 'day' ? new Date(t).toISOString().slice(0, 10) : t) : type === 'ordinal' ? String(i) : field === 'status' ? 'available' : 'a',
      ]),
    );
  });
}

/** The text of every axis and legend label Vega draws. */
async function labels(spec: TopLevelSpec, data: Record<string, unknown>[]): Promise<string[]> {
  const sized = { ...spec, width: 400 } as TopLevelSpec;
  const view = new View(parse(compile(sized).spec), { renderer: 'none' });
  for (const s of ['xmin', 'xmax'] as const) if (view.getState().signals?.[s] !== undefined) view.signal(s, s === 'xmin' ? now - 48 * 3600_000 : now);
  view.insert('table', data);
  const svg = await view.toSVG();
  view.finalize();
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
}

const numeric = (s: string) => /^-?[\d.,]+$/.test(s);

describe('chart axes with little or no data', () => {
  for (const file of specs) {
    const spec = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as TopLevelSpec;
    const fields = fieldsOf(spec);
    const cases: Array<[string, Record<string, unknown>[]]> = [
      ['no data', []],
      ['one point of 0', rows(fields, 1, 0)],
      ['a flat line of 0', rows(fields, 4, 0)],
      ['a flat line of 5', rows(fields, 4, 5)],
    ];
    for (const [what, data] of cases) {
      it(`${file}: ${what} gives round value ticks`, async () => {
        const texts = await labels(spec, data);
        const ticks = texts.filter(numeric);
        // A value axis (or a legend's scale) is drawn, with more than one tick, each short.
        expect(ticks.length, texts.join(' | ')).toBeGreaterThanOrEqual(2);
        for (const t of ticks) expect(t, texts.join(' | ')).toMatch(/^-?\d+(\.\d{1,2})?$/);
      });
    }
  }
});

describe('snapshot chart axes with nothing uploaded', () => {
  const zeros = [0, 1, 2].map((i) => ({ t: now - (3 - i) * 60_000, instance: 'default', mibps: 0 }));
  const specs: Array<[string, TopLevelSpec]> = [
    ['throughput', throughputSpec(zeros, now - 600_000, now)],
    ['history', historySpec(zeros, 'history')],
    ['daily', dailySpec([{ day: '2026-12-01', gib: 0 }, { day: '2026-12-02', gib: 0 }])],
    ['sizes', sizesSpec([{ bucket: '0-100MB', uploader: 'google', count: 0 }])],
  ];
  for (const [name, spec] of specs) {
    it(`${name}: round value ticks`, async () => {
      const view = new View(parse(compile(spec).spec), { renderer: 'none' });
      const texts = [...(await view.toSVG()).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
      view.finalize();
      const ticks = texts.filter(numeric);
      expect(ticks.length, texts.join(' | ')).toBeGreaterThanOrEqual(2);
      for (const t of ticks) expect(t, texts.join(' | ')).toMatch(/^-?\d+(\.\d{1,2})?$/);
    });
  }
});
