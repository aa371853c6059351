import type { CloudplowLaunch } from './cloudplowLaunch.js';
import type { ServeSettings } from './serveSettings.js';
import { Type, type Static } from '@sinclair/typebox';

/** plowboard's own config file (--config). Unknown keys are an error: they are usually typos. */
export const RcloneInstanceConfig = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' })),
    url: Type.String({ minLength: 1 }),
    user: Type.Optional(Type.String()),
    pass: Type.Optional(Type.String()),
    passFile: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

export const PlowboardConfigFile = Type.Object(
  {
    cloudplowConfig: Type.Optional(Type.String({ minLength: 1 })),
    rclone: Type.Optional(Type.Array(RcloneInstanceConfig, { minItems: 1 })),
    output: Type.Optional(Type.String({ minLength: 1 })),
    stateDir: Type.Optional(Type.String({ minLength: 1 })),
    host: Type.Optional(Type.String({ minLength: 1 })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    interval: Type.Optional(Type.Number({ minimum: 0.2, maximum: 3600 })),
    transfersLimit: Type.Optional(Type.Integer({ minimum: 100, maximum: 100000 })),
    saQuota: Type.Optional(Type.String({ description: 'daily quota per service account, e.g. "750GiB" (the fork) or "750GB" (Google)' })),
    logLines: Type.Optional(Type.Integer({ minimum: 10, maximum: 100000 })),
    // The built-in server's Host names, who may frame the pages, and its login (serveSettings.ts).
    allowedHosts: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    frameAncestors: Type.Optional(Type.String({ minLength: 1 })),
    authFile: Type.Optional(Type.String({ minLength: 1 })),
    cloudplowPaths: Type.Optional(
      Type.Object(
        {
          quotaCache: Type.Optional(Type.String({ minLength: 1 })),
          sessionState: Type.Optional(Type.String({ minLength: 1 })),
          learnedSizes: Type.Optional(Type.String({ minLength: 1 })),
          transferStatsJsonl: Type.Optional(Type.String({ minLength: 1 })),
          log: Type.Optional(Type.String({ minLength: 1 })),
          cacheDb: Type.Optional(Type.String({ minLength: 1 })),
          locksDir: Type.Optional(Type.String({ minLength: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type RcloneInstanceConfig = Static<typeof RcloneInstanceConfig>;
export type PlowboardConfigFile = Static<typeof PlowboardConfigFile>;

export interface RcloneInstance {
  name: string;
  url: string;
  user: string | null;
  pass: string | null;
  /** Where the password came from, for the effective config; never the password. */
  credentialsFrom: string | null;
}

export interface CloudplowConfigRef {
  path: string | null;
  found: boolean;
  from: string;
}

export interface ResolvedConfig {
  configFile: string | null;
  cloudplow: CloudplowConfigRef;
  /** The parsed cloudplow config.json, or null. Holds secrets: never write it out. */
  cloudplowSettings: Record<string, unknown> | null;
  cloudplowProblem: string | null;
  output: string;
  /** The sidecar's memory between runs (history, finished transfers); outside output/. */
  stateDir: string;
  host: string;
  port: number;
  intervalSeconds: number;
  transfersLimit: number;
  saQuota: SaQuota;
  logLines: number;
  /** Paths set in plowboard's config, over the ones found beside cloudplow's config. */
  cloudplowPaths: NonNullable<PlowboardConfigFile['cloudplowPaths']>;
  /** Running cloudplow processes and systemd units that read this cloudplow config: they say where its other files are. */
  cloudplowLaunches?: CloudplowLaunch[];
  /** Other cloudplows found on this host (another config.json): said, so a wrong pick can be seen. */
  cloudplowOthers?: string[];
  rclone: RcloneInstance[];
  /** The built-in server's settings; absent means the defaults (loopback names only, frames from 'self', no login). */
  serve?: ServeSettings;
}

export interface SaQuota {
  bytesPerAccount: number;
  label: string;
  unit: 'GiB' | 'GB';
  windowHours: number;
  from: string;
}

export const DEFAULTS = {
  output: './output',
  stateDir: './state',
  host: '127.0.0.1',
  port: 47949,
  interval: 2,
  transfersLimit: 1000,
  saQuota: '750GiB',
  logLines: 500,
  rcloneUrl: 'http://localhost:7949',
} as const;

export const CLOUDPLOW_CONFIG_CANDIDATES = ['/config/config.json', '/opt/cloudplow/config.json', './config.json'];
