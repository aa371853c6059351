import type { CloudplowLaunch } from './cloudplowLaunch.js';
import type { ServeSettings } from './serveSettings.js';
import type { SnapshotGitSettings } from './snapshotGit.js';
import type { SaQuota } from '../contract/index.js';
import { SETTINGS, type PlowboardConfigFile, type SettingName } from './settings.js';

export { PlowboardConfigFile, RcloneInstanceConfig } from './settings.js';
export type { SaQuota } from '../contract/index.js';

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
  /** Snapshots pushed to a git wiki on a schedule (`--snapshot-git`); absent or null: none. */
  snapshotGit?: SnapshotGitSettings | null;
}

type Defaults = { [N in SettingName as (typeof SETTINGS)[N] extends { default: unknown } ? N : never]: (typeof SETTINGS)[N] extends { default: infer D } ? D : never };

/** Each setting's default, from the settings table. */
export const DEFAULTS = Object.fromEntries(
  Object.entries(SETTINGS).flatMap(([name, s]) => ('default' in s ? [[name, s.default]] : [])),
) as Defaults;

export const CLOUDPLOW_CONFIG_CANDIDATES = ['/config/config.json', '/opt/cloudplow/config.json', './config.json'];
