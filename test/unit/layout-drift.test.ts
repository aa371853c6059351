import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CloudplowLaunch } from '../../sidecar/config/cloudplowLaunch.js';
import { cloudplowLayout } from '../../sidecar/config/cloudplowLayout.js';
import { layoutDrift } from '../../sidecar/config/layoutDrift.js';
import { loadConfig } from '../../sidecar/config/load.js';
import { Daemon } from '../../sidecar/daemon/daemon.js';

const ref = { path: '/opt/cloudplow/config.json', found: true, from: 'discovered' };
const layout = (launches: CloudplowLaunch[], cloudplowPaths: Record<string, string> = {}) =>
  cloudplowLayout({ cloudplow: ref, cloudplowSettings: { uploader: {} }, cloudplowPaths, cloudplowLaunches: launches }, {})!;
const later: CloudplowLaunch = { label: 'cloudplow process 31', script: '/srv/app/cloudplow.py', paths: { logfile: { path: '/var/log/cp.log', by: '--logfile' } } };

describe('looking for cloudplow again', () => {
  it('tells a file that a process or unit now puts elsewhere, and nothing when the process is merely gone', () => {
    const atStart = layout([]);
    expect(layoutDrift(atStart, layout([later]))).toEqual([
      'cloudplow.log: cloudplow process 31 (--logfile) puts it at /var/log/cp.log, but plowboard reads /opt/cloudplow/cloudplow.log since it started; restart plowboard to follow',
      'cache.db: beside cloudplow.py (cloudplow process 31) puts it at /srv/app/cache.db, but plowboard reads /opt/cloudplow/cache.db since it started; restart plowboard to follow',
      'locks/: beside cloudplow.py (cloudplow process 31) puts it at /srv/app/locks, but plowboard reads /opt/cloudplow/locks since it started; restart plowboard to follow',
      'transfer-stats.jsonl: beside cloudplow.log (cloudplow process 31 (--logfile)) puts it at /var/log/transfer-stats.jsonl, but plowboard reads /opt/cloudplow/transfer-stats.jsonl since it started; restart plowboard to follow',
    ]);
    // Started while cloudplow ran; it has exited since (a cron run): its files did not move.
    expect(layoutDrift(layout([later]), layout([]))).toEqual([]);
    // The same cloudplow restarted under another pid.
    expect(layoutDrift(layout([later]), layout([{ ...later, label: 'cloudplow process 99' }]))).toEqual([]);
    // plowboard's own override still wins.
    expect(layoutDrift(layout([], { log: '/mine.log', locksDir: '/l', cacheDb: '/c' }), layout([later], { log: '/mine.log', locksDir: '/l', cacheDb: '/c' }))).toEqual([]);
  });

  it('puts it in a note on the cloudplow config in health.json, and takes the note back when it no longer holds', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'plowboard-drift-'));
    mkdirSync(path.join(root, 'conf'));
    const configPath = path.join(root, 'conf', 'config.json');
    writeFileSync(configPath, JSON.stringify({ uploader: {} }));
    let now: CloudplowLaunch[] = [];
    const lines: string[] = [];
    const config = loadConfig({ cloudplowConfig: configPath, output: path.join(root, 'out'), stateDir: path.join(root, 'state') }, {}, root, []);
    const daemon = new Daemon(config, { continuous: false, rediscover: () => now, log: (l) => lines.push(l) });
    const notes = () => daemon.sourceHealth().find((s) => s.id === 'cloudplow-config:config')!.notes ?? [];
    daemon.lookAgain();
    expect(notes()).toEqual([]);
    now = [{ ...later, paths: { ...later.paths, config: { path: configPath, by: '--config' } } }];
    daemon.lookAgain();
    expect(notes()).toHaveLength(4);
    expect(notes()[0]).toMatch(/^cloudplow\.log: cloudplow process 31 \(--logfile\) puts it at \/var\/log\/cp\.log/);
    expect(lines).toHaveLength(4);
    daemon.lookAgain();
    expect(lines).toHaveLength(4);
    // Another cloudplow, reading another config.json, is not this one.
    now = [{ ...later, paths: { ...later.paths, config: { path: '/elsewhere/config.json', by: '--config' } } }];
    daemon.lookAgain();
    expect(notes()).toEqual([]);
  });
});
