import path from 'node:path';
import type { CloudplowLaunch, LaunchKey } from './cloudplowLaunch.js';
import type { ResolvedConfig } from './schema.js';

export interface UploaderLayout {
  name: string;
  remote: string | null;
  uploadFolder: string | null;
  serviceAccountPath: string | null;
}

/** Where each of cloudplow's files is, for one installation. Every path is read-only to plowboard. */
export interface CloudplowLayout {
  dir: string;
  quotaCache: string;
  sessionState: string;
  learnedSizes: string;
  log: string;
  /** The fork appends transfer rows beside the log, not beside the config. */
  transferStats: string;
  cacheDb: string;
  locksDir: string;
  uploaders: UploaderLayout[];
  /** cloudplow.py, when a running process or a systemd unit shows where it is. */
  script: string | null;
  /** How each path was found, in words: "override (cloudplowPaths.log)", "cloudplow process 1234 (--logfile)", "beside cloudplow.py (systemd unit …)". */
  foundBy: Record<LayoutFile, string>;
}

export type LayoutFile = 'config' | 'quotaCache' | 'sessionState' | 'learnedSizes' | 'log' | 'transferStats' | 'cacheDb' | 'locksDir';
interface Found {
  path: string;
  from: string;
}

const get = (obj: unknown, key: string): unknown => (obj && typeof obj === 'object' && !Array.isArray(obj) ? (obj as Record<string, unknown>)[key] : undefined);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

/**
 * Where each of cloudplow's files is, found the way cloudplow itself places them:
 * plowboard's own cloudplowPaths first; then what a running cloudplow, or its systemd
 * unit, was told (--logfile, --cachefile, or its CLOUDPLOW_* variables); then
 * CLOUDPLOW_LOGFILE / CLOUDPLOW_CACHEFILE in plowboard's environment; then beside
 * cloudplow.py, where upstream keeps locks/, the log and cache.db; then beside
 * config.json (Saltbox's layout, and where the fork keeps its state files).
 */
export function cloudplowLayout(config: Pick<ResolvedConfig, 'cloudplow' | 'cloudplowSettings' | 'cloudplowPaths' | 'cloudplowLaunches'>, env: NodeJS.ProcessEnv = process.env): CloudplowLayout | null {
  const configPath = config.cloudplow.path;
  const overrides = config.cloudplowPaths;
  const launches = config.cloudplowLaunches ?? [];
  if (!configPath && Object.keys(overrides).length === 0) return null;
  const dir = configPath ? path.dirname(configPath) : process.cwd();
  const withScript = launches[0] ?? null;
  const script = withScript?.script ?? null;
  const override = (key: keyof typeof overrides): Found | null => (overrides[key] ? { path: overrides[key]!, from: `override (cloudplowPaths.${key})` } : null);
  const told = (key: LaunchKey): Found | null => {
    const l = launches.find((x) => x.paths[key]);
    return l ? { path: l.paths[key]!.path, from: `${l.label} (${l.paths[key]!.by})` } : null;
  };
  const fromEnv = (name: string): Found | null => (str(env[name]) ? { path: str(env[name])!, from: name } : null);
  const besideScript = (name: string): Found | null => (script ? { path: path.join(path.dirname(script), name), from: `beside cloudplow.py (${withScript!.label})` } : null);
  const besideConfig = (name: string): Found => ({ path: path.join(dir, name), from: configPath ? 'beside config.json' : 'in the current folder (no config.json found)' });

  const log = override('log') ?? told('logfile') ?? fromEnv('CLOUDPLOW_LOGFILE') ?? besideScript('cloudplow.log') ?? besideConfig('cloudplow.log');
  const cacheDb = override('cacheDb') ?? told('cachefile') ?? fromEnv('CLOUDPLOW_CACHEFILE') ?? besideScript('cache.db') ?? besideConfig('cache.db');
  const locksDir = override('locksDir') ?? besideScript('locks') ?? besideConfig('locks');
  // The fork keeps its state in dirname(config.json), wherever cloudplow.py is.
  const quotaCache = override('quotaCache') ?? besideConfig('sa_quota_cache.json');
  const sessionState = override('sessionState') ?? besideConfig('dashboard_session_state.json');
  const learnedSizes = override('learnedSizes') ?? besideConfig('learned_sizes_cache.json');
  const transferStats = override('transferStatsJsonl') ?? { path: path.join(path.dirname(log.path), 'transfer-stats.jsonl'), from: `beside cloudplow.log (${log.from})` };

  const settings = config.cloudplowSettings;
  const remotes = get(settings, 'remotes');
  const uploaderSection = get(settings, 'uploader');
  const uploaders = Object.entries(uploaderSection && typeof uploaderSection === 'object' ? (uploaderSection as Record<string, unknown>) : {})
    .map(([name, u]) => {
      const remote = get(remotes, name);
      return {
        name,
        remote: str(get(remote, 'upload_remote')),
        uploadFolder: str(get(remote, 'upload_folder')),
        serviceAccountPath: str(get(u, 'service_account_path')),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    dir,
    quotaCache: quotaCache.path,
    sessionState: sessionState.path,
    learnedSizes: learnedSizes.path,
    log: log.path,
    transferStats: transferStats.path,
    cacheDb: cacheDb.path,
    locksDir: locksDir.path,
    uploaders,
    script,
    foundBy: {
      config: config.cloudplow.found ? config.cloudplow.from : 'not found',
      quotaCache: quotaCache.from,
      sessionState: sessionState.from,
      learnedSizes: learnedSizes.from,
      log: log.from,
      transferStats: transferStats.from,
      cacheDb: cacheDb.from,
      locksDir: locksDir.from,
    },
  };
}
