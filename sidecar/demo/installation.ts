import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CacheDbWriter } from './cacheDbWriter.js';
import { QuotaCache } from './forkFiles.js';

export const UPLOADER = 'google';
export const GiB = 1024 ** 3;
/** The fork's SA_DAILY_QUOTA: 750 GiB, which it calls GB. */
export const SA_QUOTA = 750 * GiB;
/** How many 403s within the hour make cloudplow give up on an SA (the trigger's `count`). */
export const TRIGGER_COUNT = 3;
export const TRIGGER = 'Failed to copy: googleapi: Error 403: User rate limit exceeded';

export interface Installation {
  dir: string;
  config: string;
  saDir: string;
  /** Full paths of the SA files, in cloudplow's order (by the digits in their names). */
  accounts: string[];
  uploadFolder: string;
  log: string;
  cacheDb: string;
  quotaCache: string;
  sessionState: string;
  learnedSizes: string;
  transferStats: string;
  lock: string;
  rcloneConf: string;
  /** Bans the installation starts with, by SA path (epoch seconds). */
  seededBans: Record<string, number>;
}

const ACCOUNTS = 20;

/**
 * What the pool looks like when the demo starts, so every status shows at once: one SA used
 * up (exhausted), one banned in cache.db after an earlier 403, some part used, the rest
 * fresh. Hours are how long ago the SA's window began.
 */
const SEEDED: Record<number, { usedGiB: number; hoursAgo: number; bannedForHours?: number }> = {
  1: { usedGiB: 749.6, hoursAgo: 19 },
  2: { usedGiB: 702.3, hoursAgo: 6, bannedForHours: 19 },
  3: { usedGiB: 412.8, hoursAgo: 9 },
  4: { usedGiB: 96.1, hoursAgo: 2 },
  5: { usedGiB: 633.4, hoursAgo: 15 },
  6: { usedGiB: 210, hoursAgo: 22 },
};

/**
 * Writes a cloudplow installation in the fork's layout (Saltbox's: everything beside
 * config.json) into `dir`: config.json with one uploader and its SA folder, cache.db with
 * the bans, sa_quota_cache.json, locks/, an upload folder and an empty rclone.conf. The
 * session, the log, transfer-stats.jsonl and learned_sizes_cache.json are written by the
 * upload as it goes, as cloudplow writes them.
 */
export function writeInstallation(dir: string, rcAddr: string, now = Date.now()): { inst: Installation; quota: QuotaCache } {
  const saDir = path.join(dir, 'service_accounts');
  const uploadFolder = path.join(dir, 'upload', 'Media');
  for (const d of [saDir, uploadFolder, path.join(dir, 'locks')]) mkdirSync(d, { recursive: true });
  const inst: Installation = {
    dir,
    config: path.join(dir, 'config.json'),
    saDir,
    accounts: [],
    uploadFolder,
    log: path.join(dir, 'cloudplow.log'),
    cacheDb: path.join(dir, 'cache.db'),
    quotaCache: path.join(dir, 'sa_quota_cache.json'),
    sessionState: path.join(dir, 'dashboard_session_state.json'),
    learnedSizes: path.join(dir, 'learned_sizes_cache.json'),
    transferStats: path.join(dir, 'transfer-stats.jsonl'),
    lock: path.join(dir, 'locks', 'upload.lock'),
    rcloneConf: path.join(dir, 'rclone.conf'),
    seededBans: {},
  };
  // SA files hold a private key in real life; plowboard reads only their names, so these hold none.
  for (let i = 1; i <= ACCOUNTS; i++) {
    const file = path.join(saDir, `demo-sa-${String(i).padStart(2, '0')}.json`);
    writeFileSync(file, JSON.stringify({ type: 'service_account', project_id: 'plowboard-demo', client_email: `demo-sa-${i}@plowboard-demo.invalid` }, null, 2));
    inst.accounts.push(file);
  }
  writeFileSync(inst.rcloneConf, '');
  // cloudplow's log handler and the fork's JSONL logger create their files when cloudplow starts, before any line.
  writeFileSync(inst.log, '');
  writeFileSync(inst.transferStats, '');
  writeFileSync(
    inst.config,
    JSON.stringify(
      {
        core: { dry_run: false, rclone_binary_path: 'rclone', rclone_config_path: inst.rcloneConf },
        hidden: {},
        notifications: {},
        nzbget: { enabled: false, url: 'https://nzbget.example.invalid' },
        sabnzbd: { enabled: false, url: 'https://sabnzbd.example.invalid', apikey: '' },
        plex: { enabled: false, url: 'http://localhost:32400', token: '', poll_interval: 60, rclone: { url: `http://${rcAddr}` } },
        remotes: {
          [UPLOADER]: {
            hidden_remote: `${UPLOADER}:`,
            rclone_excludes: ['**partial~', '**_HIDDEN~', '.unionfs/**', '.unionfs-fuse/**'],
            rclone_extras: { '--checkers': 8, '--transfers': 4, '--stats': '60s', '--verbose': 1, '--retries': 1, '--rc': null, '--rc-addr': rcAddr },
            rclone_sleeps: { [TRIGGER]: { count: TRIGGER_COUNT, sleep: 25, timeout: 3600 } },
            rclone_command: 'move',
            remove_empty_dir_depth: 2,
            sync_remote: `${UPLOADER}:/Media`,
            upload_folder: uploadFolder,
            upload_remote: `${UPLOADER}:/Media`,
          },
        },
        syncer: {},
        uploader: {
          [UPLOADER]: {
            can_be_throttled: false,
            check_interval: 1,
            exclude_open_files: false,
            max_size_gb: 1,
            opened_excludes: [],
            size_excludes: [],
            schedule: { enabled: false, allowed_from: '04:00', allowed_until: '08:00' },
            service_account_path: saDir,
            chunked_upload: { enabled: false, chunk_size: 1000, generate_list_timeout: 600 },
          },
        },
        dashboard: { enabled: false, host: '127.0.0.1', port: 47949, rc_url: `http://${rcAddr}`, refresh_interval: 3, debug: false },
      },
      null,
      2,
    ),
  );

  const quota = new QuotaCache(inst.quotaCache, UPLOADER);
  const bans: Record<string, number | null> = {};
  const nowS = now / 1000;
  inst.accounts.forEach((file, i) => {
    const seed = SEEDED[i + 1];
    bans[file] = seed?.bannedForHours ? nowS + seed.bannedForHours * 3600 : null;
    if (bans[file] !== null) inst.seededBans[file] = bans[file]!;
    if (seed) {
      const first = nowS - seed.hoursAgo * 3600;
      quota.set(file, { bytes: Math.round(seed.usedGiB * GiB), first_upload: first, reset_time: first + 24 * 3600 });
    }
  });
  quota.save();
  const db = new CacheDbWriter(inst.cacheDb);
  db.put('sa_bans', UPLOADER, bans);
  db.put('uploader_bans', UPLOADER, null);
  return { inst, quota };
}
