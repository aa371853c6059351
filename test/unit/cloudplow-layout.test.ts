import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CloudplowLaunch } from '../../sidecar/config/cloudplowLaunch.js';
import { cloudplowLayout } from '../../sidecar/config/cloudplowLayout.js';
import { loadConfig } from '../../sidecar/config/load.js';

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

describe('which place wins', () => {
  const proc: CloudplowLaunch = { label: 'cloudplow process 1234', script: '/srv/app/cloudplow.py', paths: { logfile: { path: '/proc-said/cloudplow.log', by: '--logfile' } } };
  const unit: CloudplowLaunch = {
    label: 'systemd unit /etc/systemd/system/cloudplow.service',
    script: '/opt/unit-app/cloudplow.py',
    paths: { logfile: { path: '/unit-said/cloudplow.log', by: '--logfile' }, cachefile: { path: '/unit-said/cache.db', by: 'CLOUDPLOW_CACHEFILE' } },
  };
  const env = { CLOUDPLOW_LOGFILE: '/env-said/cloudplow.log', CLOUDPLOW_CACHEFILE: '/env-said/cache.db' };
  const layout = (cloudplowPaths: Record<string, string>, launches: CloudplowLaunch[], e: NodeJS.ProcessEnv) =>
    cloudplowLayout({ cloudplow: ref, cloudplowSettings: settings, cloudplowPaths, cloudplowLaunches: launches }, e)!;
  const where = (l: ReturnType<typeof layout>) => ({ log: [l.log, l.foundBy.log], cacheDb: [l.cacheDb, l.foundBy.cacheDb], locksDir: [l.locksDir, l.foundBy.locksDir] });

  it('override, then the process, then the unit, then the variables, then beside cloudplow.py, then beside config.json', () => {
    expect(where(layout({ log: '/mine/cloudplow.log' }, [proc, unit], env)).log).toEqual(['/mine/cloudplow.log', 'override (cloudplowPaths.log)']);
    expect(where(layout({}, [proc, unit], env))).toEqual({
      log: ['/proc-said/cloudplow.log', 'cloudplow process 1234 (--logfile)'],
      cacheDb: ['/unit-said/cache.db', 'systemd unit /etc/systemd/system/cloudplow.service (CLOUDPLOW_CACHEFILE)'],
      locksDir: ['/srv/app/locks', 'beside cloudplow.py (cloudplow process 1234)'],
    });
    expect(where(layout({}, [{ ...proc, paths: {} }], env))).toEqual({
      log: ['/env-said/cloudplow.log', 'CLOUDPLOW_LOGFILE'],
      cacheDb: ['/env-said/cache.db', 'CLOUDPLOW_CACHEFILE'],
      locksDir: ['/srv/app/locks', 'beside cloudplow.py (cloudplow process 1234)'],
    });
    expect(where(layout({}, [{ ...proc, paths: {} }], {}))).toEqual({
      log: ['/srv/app/cloudplow.log', 'beside cloudplow.py (cloudplow process 1234)'],
      cacheDb: ['/srv/app/cache.db', 'beside cloudplow.py (cloudplow process 1234)'],
      locksDir: ['/srv/app/locks', 'beside cloudplow.py (cloudplow process 1234)'],
    });
    expect(where(layout({}, [], {}))).toEqual({
      log: ['/opt/cloudplow/cloudplow.log', 'beside config.json'],
      cacheDb: ['/opt/cloudplow/cache.db', 'beside config.json'],
      locksDir: ['/opt/cloudplow/locks', 'beside config.json'],
    });
  });

  it("keeps the fork's state files beside config.json, and transfer-stats beside the log, wherever cloudplow.py is", () => {
    const l = layout({}, [proc], {});
    expect([l.quotaCache, l.foundBy.quotaCache]).toEqual(['/opt/cloudplow/sa_quota_cache.json', 'beside config.json']);
    expect([l.transferStats, l.foundBy.transferStats]).toEqual(['/proc-said/transfer-stats.jsonl', 'beside cloudplow.log (cloudplow process 1234 (--logfile))']);
    expect(l.foundBy.config).toBe('discovered');
  });
});

describe("cloudplow's config.json, from a running cloudplow", () => {
  const install = () => {
    const root = mkdtempSync(path.join(tmpdir(), 'plowboard-found-'));
    for (const d of ['app', 'conf', 'other']) mkdirSync(path.join(root, d));
    writeFileSync(path.join(root, 'conf', 'config.json'), JSON.stringify({ uploader: {} }));
    writeFileSync(path.join(root, 'app', 'config.json'), JSON.stringify({ uploader: {} }));
    return root;
  };

  it('takes the config a process was told before CLOUDPLOW_CONFIG, and the one beside cloudplow.py after it', () => {
    const root = install();
    const told: CloudplowLaunch = { label: 'cloudplow process 9', script: path.join(root, 'app', 'cloudplow.py'), paths: { config: { path: path.join(root, 'conf', 'config.json'), by: '--config' } } };
    const untold: CloudplowLaunch = { label: 'cloudplow process 10', script: path.join(root, 'app', 'cloudplow.py'), paths: {} };
    const cwd = path.join(root, 'other');
    expect(loadConfig({}, { CLOUDPLOW_CONFIG: path.join(root, 'app', 'config.json') }, cwd, [told]).cloudplow).toEqual({
      path: path.join(root, 'conf', 'config.json'),
      found: true,
      from: 'cloudplow process 9 (--config)',
    });
    expect(loadConfig({}, { CLOUDPLOW_CONFIG: path.join(root, 'conf', 'config.json') }, cwd, [untold]).cloudplow.from).toBe('environment CLOUDPLOW_CONFIG');
    expect(loadConfig({}, {}, cwd, [untold]).cloudplow).toEqual({ path: path.join(root, 'app', 'config.json'), found: true, from: 'beside cloudplow.py (cloudplow process 10)' });
  });

  it("uses only the processes that read plowboard's cloudplow config: another cloudplow on the host is not this one", () => {
    const root = install();
    const ours: CloudplowLaunch = { label: 'cloudplow process 20', script: path.join(root, 'app', 'cloudplow.py'), paths: { config: { path: path.join(root, 'conf', 'config.json'), by: '--config' }, logfile: { path: '/ours.log', by: '--logfile' } } };
    const theirs: CloudplowLaunch = { label: 'cloudplow process 5', script: '/elsewhere/cloudplow.py', paths: { logfile: { path: '/theirs.log', by: '--logfile' } } };
    const config = loadConfig({ cloudplowConfig: path.join(root, 'conf', 'config.json') }, {}, root, [theirs, ours]);
    expect(config.cloudplowLaunches!.map((l) => l.label)).toEqual(['cloudplow process 20']);
    expect(config.cloudplowOthers).toEqual(['cloudplow process 5 reads /elsewhere/config.json']);
    expect(cloudplowLayout(config, {})!.log).toBe('/ours.log');
    // A config.json a process names but which is not there (another mount namespace) is passed over.
    const gone: CloudplowLaunch = { ...theirs, paths: { config: { path: '/nowhere/config.json', by: '--config' } } };
    expect(loadConfig({}, {}, path.join(root, 'other'), [gone]).cloudplow.found).toBe(false);
  });
});
