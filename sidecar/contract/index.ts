/**
 * The data contract: every file plowboard writes under output/data/, its types and its
 * JSON Schema. The sidecar, the client code and the tests all import from here.
 */
import type { TObject } from '@sinclair/typebox';
import { EffectiveConfig } from './effectiveConfig.js';
import { Health } from './health.js';
import { Heartbeat } from './heartbeat.js';
import { historyRangeSchema } from './history.js';
import { Live } from './live.js';
import { Manifest } from './manifest.js';
import { Accounts } from './accounts.js';
import { BadgeList } from './badges.js';
import { Distribution } from './distribution.js';
import { Events } from './events.js';
import { Logs } from './logs.js';
import { SessionFile } from './session.js';
import { Summary } from './summary.js';
import { Transfers } from './transfers.js';

export * from './accounts.js';
export * from './badges.js';
export * from './common.js';
export * from './distribution.js';
export * from './effectiveConfig.js';
export * from './events.js';
export * from './health.js';
export * from './heartbeat.js';
export * from './history.js';
export * from './logs.js';
export * from './live.js';
export * from './manifest.js';
export * from './session.js';
export * from './summary.js';
export * from './transfers.js';

export interface DataFileSpec {
  name: string;
  schema: TObject;
  description: string;
}

export const DATA_FILES = [
  { name: 'index', schema: Manifest, description: 'manifest: every data file, its schema and when it changed' },
  { name: 'health', schema: Health, description: 'each source: state, last ok, last error, latency' },
  { name: 'live', schema: Live, description: 'what rclone is doing now, per instance and summed' },
  { name: 'transfers', schema: Transfers, description: 'completed transfers, newest first, bounded' },
  { name: 'accounts', schema: Accounts, description: 'service accounts per uploader: quota used, reset, status, bans; pool totals' },
  { name: 'session', schema: SessionFile, description: 'the current or last upload session, and the evidence for it being active' },
  { name: 'distribution', schema: Distribution, description: 'file-size distributions per uploader, of the queue and of history' },
  { name: 'logs', schema: Logs, description: "the last lines of cloudplow's log, parsed, and the events recognized in them" },
  { name: 'events', schema: Events, description: 'what happened, newest first: sessions, SA changes, rate limits, bans, rclone, sources, the sidecar' },
  { name: 'config', schema: EffectiveConfig, description: "plowboard's effective configuration, secrets removed" },
  { name: 'history-1h', schema: historyRangeSchema('1h'), description: 'the last hour in 5 s buckets' },
  { name: 'history-48h', schema: historyRangeSchema('48h'), description: 'the last 48 hours in 1 min buckets' },
  { name: 'history-90d', schema: historyRangeSchema('90d'), description: 'the last 90 days in 15 min buckets, and bytes per day' },
  { name: 'badges', schema: BadgeList, description: 'the shields.io endpoint badges under data/badges/ (state, speed, SAs usable, uploaded today, pool left) and what each says' },
  { name: 'summary', schema: Summary, description: 'totals for today, yesterday, this and last week, this month, the last 30 days, in the sidecar\'s time zone' },
  { name: 'heartbeat', schema: Heartbeat, description: 'when the sidecar last showed it is alive, refreshed every heartbeatSeconds' },
] as const satisfies readonly DataFileSpec[];

export type DataFileName = (typeof DATA_FILES)[number]['name'];

/**
 * Files that change often while an upload runs: live.json with each poll, session.json's
 * figures every half beat (live.json's sessionProgress has them each poll), the 1 h range
 * with each 5 s sample (the open bucket), the 48 h and 90 d ranges and summary.json at most
 * every 30 s, badges.json (the speed badge) every half beat, heartbeat.json with each beat. Announcing their every change in index.json
 * would change the manifest that often too, and every page would fetch it whole; instead
 * index.json marks them `polled: "directly"` and a page fetches those it shows each interval
 * with a conditional request (a 304 while they stand; the heartbeat every half beat, and
 * each interval once the next beat is due). index.json then changes only when
 * a file whose changes mean something does: accounts, transfers, health, logs…
 */
export const POLLED_DIRECTLY: readonly DataFileName[] = ['live', 'session', 'heartbeat', 'history-1h', 'history-48h', 'history-90d', 'summary', 'badges'];

export const dataPath = (name: string) => `data/${name}.json`;
export const schemaPath = (name: string) => `schema/${name}.schema.json`;
