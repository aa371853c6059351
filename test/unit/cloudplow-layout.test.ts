import { describe, expect, it } from 'vitest';
import { cloudplowLayout } from '../../sidecar/config/cloudplowLayout.js';

const settings = {
  remotes: { google: { upload_remote: 'google:/Media', upload_folder: '/mnt/local/Media' }, box: { upload_remote: 'box:' } },
  uploader: { google: { service_account_path: '/opt/sa/' }, box: {} },
};
const ref = { path: '/opt/cloudplow/config.json', found: true, from: 'discovered' };

describe("where cloudplow's files are", () => {
  it('puts the state files beside config.json, the log and cache.db where cloudplow’s own variables say, and transfer-stats beside the log', () => {
    const l = cloudplowLayout({ cloudplow: ref, cloudplowSettings: settings, cloudplowPaths: {} }, { CLOUDPLOW_LOGFILE: '/var/log/cp/cloudplow.log', CLOUDPLOW_CACHEFILE: '/var/cache/cp.db' })!;
    expect(l).toMatchObject({
      quotaCache: '/opt/cloudplow/sa_quota_cache.json',
      sessionState: '/opt/cloudplow/dashboard_session_state.json',
      learnedSizes: '/opt/cloudplow/learned_sizes_cache.json',
      log: '/var/log/cp/cloudplow.log',
      transferStats: '/var/log/cp/transfer-stats.jsonl',
      cacheDb: '/var/cache/cp.db',
      locksDir: '/opt/cloudplow/locks',
    });
    expect(l.uploaders).toEqual([
      { name: 'box', remote: 'box:', uploadFolder: null, serviceAccountPath: null },
      { name: 'google', remote: 'google:/Media', uploadFolder: '/mnt/local/Media', serviceAccountPath: '/opt/sa/' },
    ]);
  });

  it("lets plowboard's own config override every path", () => {
    const l = cloudplowLayout({ cloudplow: ref, cloudplowSettings: settings, cloudplowPaths: { log: '/x/log', cacheDb: '/x/db', locksDir: '/x/locks' } }, { CLOUDPLOW_LOGFILE: '/ignored' })!;
    expect([l.log, l.transferStats, l.cacheDb, l.locksDir]).toEqual(['/x/log', '/x/transfer-stats.jsonl', '/x/db', '/x/locks']);
  });

  it('has no layout without a cloudplow config or any path', () => {
    expect(cloudplowLayout({ cloudplow: { path: null, found: false, from: 'none' }, cloudplowSettings: null, cloudplowPaths: {} }, {})).toBeNull();
  });
});
