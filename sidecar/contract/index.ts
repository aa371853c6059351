/**
 * The data contract: every file plowboard writes under output/data/, its types and its
 * JSON Schema. The sidecar, the client code and the tests all import from here.
 */
import type { TObject } from '@sinclair/typebox';
import { EffectiveConfig } from './effectiveConfig.js';
import { Health } from './health.js';
import { Live } from './live.js';
import { Manifest } from './manifest.js';
import { Transfers } from './transfers.js';

export * from './accounts.js';
export * from './common.js';
export * from './distribution.js';
export * from './effectiveConfig.js';
export * from './health.js';
export * from './live.js';
export * from './manifest.js';
export * from './session.js';
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
  { name: 'config', schema: EffectiveConfig, description: "plowboard's effective configuration, secrets removed" },
] as const satisfies readonly DataFileSpec[];

export type DataFileName = (typeof DATA_FILES)[number]['name'];

export const dataPath = (name: string) => `data/${name}.json`;
export const schemaPath = (name: string) => `schema/${name}.schema.json`;
