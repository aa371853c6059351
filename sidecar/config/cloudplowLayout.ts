import path from 'node:path';
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
}

const get = (obj: unknown, key: string): unknown => (obj && typeof obj === 'object' && !Array.isArray(obj) ? (obj as Record<string, unknown>)[key] : undefined);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

/**
 * The state files beside cloudplow's config.json, the log and cache.db where cloudplow's
 * own CLOUDPLOW_LOGFILE / CLOUDPLOW_CACHEFILE put them, and every uploader with its
 * remote and SA folder. Paths in plowboard's config win over all of these.
 */
export function cloudplowLayout(config: Pick<ResolvedConfig, 'cloudplow' | 'cloudplowSettings' | 'cloudplowPaths'>, env: NodeJS.ProcessEnv = process.env): CloudplowLayout | null {
  const configPath = config.cloudplow.path;
  const overrides = config.cloudplowPaths;
  if (!configPath && Object.keys(overrides).length === 0) return null;
  const dir = configPath ? path.dirname(configPath) : process.cwd();
  const beside = (name: string) => path.join(dir, name);
  const log = overrides.log ?? str(env.CLOUDPLOW_LOGFILE) ?? beside('cloudplow.log');
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
    quotaCache: overrides.quotaCache ?? beside('sa_quota_cache.json'),
    sessionState: overrides.sessionState ?? beside('dashboard_session_state.json'),
    learnedSizes: overrides.learnedSizes ?? beside('learned_sizes_cache.json'),
    log,
    transferStats: overrides.transferStatsJsonl ?? path.join(path.dirname(log), 'transfer-stats.jsonl'),
    cacheDb: overrides.cacheDb ?? str(env.CLOUDPLOW_CACHEFILE) ?? beside('cache.db'),
    locksDir: overrides.locksDir ?? beside('locks'),
    uploaders,
  };
}
