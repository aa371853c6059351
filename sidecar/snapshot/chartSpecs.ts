import type { Config, TopLevelSpec } from 'vega-lite';

/**
 * Vega-Lite specs for the snapshot's charts. The page specs in src/charts/ fit a browser
 * (container width, the viewer's zone); these have a fixed size and UTC axes, so the same
 * data gives the same SVG on any machine.
 */

export const WIDTH = 640;

const config: Config = {
  font: 'sans-serif',
  background: 'white',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, labelColor: '#333', titleColor: '#333', gridColor: '#e5e5e5' },
  legend: { labelFontSize: 11, orient: 'top', title: null },
  // No hover titles or ARIA descriptions carrying each datum: the tables beside say it all.
  mark: { tooltip: false, aria: false },
};

/** A value axis spans at least 0 to 1: an all-zero series otherwise gets one tick labelled `0.000000`. */
const ZERO_TO_ONE_AT_LEAST = { zero: true, domain: { unionWith: [0, 1] } };

const base = (description: string, height: number | { step: number }) =>
  ({ description, width: WIDTH, height, autosize: { type: 'pad' }, config }) as const;

const utcTime = (title: string | null, format: string) => ({
  field: 't',
  type: 'temporal' as const,
  title,
  scale: { type: 'utc' as const },
  axis: { format, tickCount: 6, grid: false, labelOverlap: true as const },
});

export interface ThroughputRow {
  t: number;
  instance: string;
  mibps: number;
}

/** The live window: a step line per rclone instance, MiB/s. */
export function throughputSpec(rows: ThroughputRow[], start: number, end: number): TopLevelSpec {
  return {
    ...base('Upload throughput per rclone instance, live window', 180),
    data: { values: rows },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
    encoding: {
      x: { ...utcTime('UTC', '%H:%M'), scale: { type: 'utc', domain: [start, end] } },
      y: { field: 'mibps', type: 'quantitative', title: 'MiB/s', scale: ZERO_TO_ONE_AT_LEAST },
      color: { field: 'instance', type: 'nominal' },
    },
  } as TopLevelSpec;
}

export interface HistoryRow {
  t: number;
  mibps: number | null;
}

/** Average throughput per bucket over a history range; a null bucket (sidecar not running) breaks the line. */
export function historySpec(rows: HistoryRow[], description: string): TopLevelSpec {
  return {
    ...base(description, 160),
    data: { values: rows },
    mark: { type: 'area', line: { color: '#1f77b4', strokeWidth: 1 }, color: '#9ecae1', interpolate: 'step-after' },
    encoding: {
      x: utcTime('UTC', '%d %b %H:%M'),
      y: { field: 'mibps', type: 'quantitative', title: 'MiB/s', scale: ZERO_TO_ONE_AT_LEAST },
    },
  } as TopLevelSpec;
}

export interface DailyRow {
  day: string;
  gib: number;
}

/** GiB uploaded per UTC day. */
export function dailySpec(rows: DailyRow[]): TopLevelSpec {
  return {
    ...base('GiB uploaded per UTC day', 160),
    data: { values: rows },
    mark: { type: 'bar', color: '#1f77b4' },
    encoding: {
      x: { field: 'day', type: 'ordinal', title: 'UTC day', sort: null, axis: { labelAngle: -45, labelOverlap: true } },
      y: { field: 'gib', type: 'quantitative', title: 'GiB', scale: ZERO_TO_ONE_AT_LEAST },
    },
  } as TopLevelSpec;
}

export interface AccountRow {
  label: string;
  percent: number;
  status: string;
}

const STATUS_COLORS = { domain: ['active', 'available', 'exhausted', 'banned'], range: ['#2ca02c', '#1f77b4', '#ff7f0e', '#d62728'] };

/** Quota used per service account, coloured by status; the 100 % rule is the daily limit. */
export function accountsSpec(rows: AccountRow[]): TopLevelSpec {
  return {
    ...base('Daily quota used per service account', { step: 16 }),
    data: { values: rows },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          // Labels are names as they are (Vega escapes them); the order is the table's.
          y: { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelLimit: 260 } },
          x: { field: 'percent', type: 'quantitative', title: '% of daily quota used', scale: { domainMin: 0, nice: true } },
          color: { field: 'status', type: 'nominal', scale: STATUS_COLORS },
        },
      },
      { mark: { type: 'rule', color: '#333', strokeDash: [4, 3] }, encoding: { x: { datum: 100 } } },
    ],
  } as TopLevelSpec;
}

export interface BucketRow {
  bucket: string;
  uploader: string;
  count: number;
}

/** Files per size bucket in each uploader's queue. */
export function sizesSpec(rows: BucketRow[]): TopLevelSpec {
  return {
    ...base('Files per size bucket in the upload queue', 160),
    data: { values: rows },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'bucket', type: 'ordinal', title: 'file size', sort: null, axis: { labelAngle: 0 } },
      xOffset: { field: 'uploader', type: 'nominal' },
      y: { field: 'count', type: 'quantitative', title: 'files', scale: ZERO_TO_ONE_AT_LEAST, axis: { tickMinStep: 1, format: 'd' } },
      color: { field: 'uploader', type: 'nominal' },
    },
  } as TopLevelSpec;
}
