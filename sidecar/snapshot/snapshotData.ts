import type { Accounts, Distribution, EffectiveConfig, Events, Health, Heartbeat, HistoryRange, Live, Logs, Manifest, SessionFile, Summary, Transfers } from '../contract/index.js';

/** The data files a snapshot is made from, each present only when it was read and valid. */
export interface SnapshotData {
  index?: Manifest;
  health?: Health;
  live?: Live;
  transfers?: Transfers;
  accounts?: Accounts;
  session?: SessionFile;
  distribution?: Distribution;
  logs?: Logs;
  events?: Events;
  config?: EffectiveConfig;
  'history-1h'?: HistoryRange;
  'history-48h'?: HistoryRange;
  'history-90d'?: HistoryRange;
  summary?: Summary;
  heartbeat?: Heartbeat;
}

export type SnapshotFileName = keyof SnapshotData;

/** The data's own time: the newest generatedAt among the files, never the clock of the machine making the snapshot. */
export function dataTime(data: SnapshotData): string {
  const times = Object.values(data).map((d) => (d as { generatedAt: string }).generatedAt);
  return times.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}
