import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Health } from '../../sidecar/contract/index.js';
import { fingerprint, makeCloudplowFolder, stopProcess, writeBans, writeLog, type CloudplowFolder } from '../helpers/cloudplow.js';
import { WAIT_CEILING_MS, freePort, waitFor } from '../helpers/ports.js';
import { readJson, repoRoot, runCli } from '../helpers/sidecarProcess.js';

/**
 * cloudplow laid out as upstream lays it out: config.json (and the SA folder) in one
 * folder, cloudplow.py in another with its log, cache.db and locks/ beside it.
 */
let cp: CloudplowFolder;
let app: string;
let work: string;
let idleRc: string;
const CANARY = 'CANARY-LAYOUT-7731';

beforeAll(async () => {
  cp = makeCloudplowFolder({ accounts: 3, canary: CANARY });
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-layout-'));
  app = path.join(work, 'cloudplow');
  mkdirSync(path.join(app, 'locks'), { recursive: true });
  // Stands in for cloudplow.py: sleeps, so that it can be found in /proc while the test runs.
  writeFileSync(path.join(app, 'cloudplow.py'), 'import time\ntime.sleep(120)\n');
  writeLog(path.join(app, 'cloudplow.log'), [
    ['cloudplow', 'info', 'Starting upload'],
    ['uploader', 'info', `Using service account: ${path.join(cp.saDir, '1.json')}`],
    ['cloudplow', 'info', 'Finished upload'],
  ]);
  const until = Date.now() / 1000 + 3600;
  writeBans(path.join(app, 'cache.db'), 'sa_bans', { google: { [path.join(cp.saDir, '1.json')]: until, [path.join(cp.saDir, '2.json')]: null, [path.join(cp.saDir, '3.json')]: null } });
  writeBans(path.join(app, 'cache.db'), 'uploader_bans', { google: null });
  idleRc = `http://127.0.0.1:${await freePort()}`;
});

const before = () => ({ conf: fingerprint(cp.dir), app: fingerprint(app) });

describe('plowboard check on an upstream layout', () => {
  it('finds the log, cache.db and locks/ beside cloudplow.py through a systemd unit, and lists every file with how it was found', async () => {
    const units = path.join(work, 'systemd');
    mkdirSync(units);
    writeFileSync(
      path.join(units, 'cloudplow.service'),
      `[Service]\nWorkingDirectory=${app}\nExecStart=/usr/bin/python3 cloudplow.py run "--config=${cp.config}" --loglevel=INFO\nExecStopPost=/bin/rm -rf ${app}/locks\n`,
    );
    const prints = before();
    const r = await runCli(['check', '--rclone-url', idleRc, '--output', path.join(work, 'out1')], { PLOWBOARD_SYSTEMD_DIRS: units });
    expect(r.code, r.stderr).toBe(0);
    const unit = `systemd unit ${path.join(units, 'cloudplow.service')}`;
    const row = (label: string) => {
      const lines = r.stdout.split('\n');
      const i = lines.findIndex((l) => l.trimStart().startsWith(`${label} `));
      expect(i, `${label} in:\n${r.stdout}`).toBeGreaterThanOrEqual(0);
      return lines.slice(i, i + 3).join('\n');
    };
    expect(r.stdout).toContain(`cloudplow  ${cp.config} (${unit} (--config))  ok`);
    expect(row('config.json')).toMatch(new RegExp(`found, read\\s+${cp.config}\\s+1 uploader\\n\\s+from: ${esc(unit)} \\(--config\\)`));
    expect(row('cloudplow.log')).toMatch(new RegExp(`found, read\\s+${path.join(app, 'cloudplow.log')}\\s+3 lines\\n\\s+from: beside cloudplow.py \\(${esc(unit)}\\)`));
    expect(row('cache.db')).toMatch(new RegExp(`found, read\\s+${path.join(app, 'cache.db')}\\s+1 SA ban \\(1 in force\\), 0 uploader bans`));
    expect(row('locks/')).toMatch(new RegExp(`found, read\\s+${path.join(app, 'locks')}\\s+no upload lock\\n\\s+from: beside cloudplow.py`));
    expect(row('SA folder google')).toMatch(new RegExp(`found, read\\s+${cp.saDir}\\s+3 SA .json files`));
    expect(row('sa_quota_cache.json')).toMatch(new RegExp(`NOT FOUND\\s+${path.join(cp.dir, 'sa_quota_cache.json')}\\n\\s+from: beside config.json\\n\\s+why: Only the cloudplow fork writes it`));
    expect(row('transfer-stats.jsonl')).toMatch(new RegExp(`NOT FOUND\\s+${path.join(app, 'transfer-stats.jsonl')}`));
    // config.json and the SA files hold tokens and keys: only paths and counts are printed.
    expect(r.stdout + r.stderr).not.toContain(CANARY);
    expect(before()).toEqual(prints);
  });

  it('finds them from a running cloudplow.py in /proc (a real process, its flags, relative to its cwd), and says so in health.json', async () => {
    const logs = path.join(work, 'var-log');
    mkdirSync(logs);
    writeLog(path.join(logs, 'cloudplow.log'), [['cloudplow', 'info', 'Starting upload']]);
    writeFileSync(path.join(app, 'locks', 'upload.lock'), '');
    const relConfig = path.relative(app, cp.config);
    const proc: ChildProcess = spawn('python3', ['cloudplow.py', '--config', relConfig, `--logfile=${path.join(logs, 'cloudplow.log')}`, '--cachefile', 'cache.db', 'run'], { cwd: app, stdio: 'ignore' });
    try {
      // Until python3 has exec'd, /proc shows the forked node: wait for its own command line.
      await waitFor('cloudplow.py in /proc', () => readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8').includes('cloudplow.py'), 20_000);
      const who = `cloudplow process ${proc.pid}`;
      // plowboard is pointed at this config: other cloudplows running on this machine (other tests') are not it.
      const env = { PLOWBOARD_PROC_ROOT: '/proc', PLOWBOARD_CLOUDPLOW_CONFIG: cp.config };
      const r = await runCli(['check', '--rclone-url', idleRc, '--output', path.join(work, 'out2')], env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`cloudplow.log\\s+found, read\\s+${path.join(logs, 'cloudplow.log')}\\s+1 line\\n\\s+from: ${who} \\(--logfile\\)`));
      expect(r.stdout).toMatch(new RegExp(`cache.db\\s+found, read\\s+${path.join(app, 'cache.db')}.*\\n\\s+from: ${who} \\(--cachefile\\)`));
      expect(r.stdout).toMatch(/locks\/\s+found, read\s+\S+\s+upload\.lock present/);
      expect(r.stdout).toMatch(new RegExp(`transfer-stats.jsonl\\s+NOT FOUND\\s+${path.join(logs, 'transfer-stats.jsonl')}`));

      const out = path.join(work, 'out3');
      const b = await runCli(['build', '--rclone-url', idleRc, '--output', out, '--state-dir', path.join(work, 'state3')], env);
      expect(b.code, b.stderr).toBe(0);
      const health = readJson<Health>(path.join(out, 'data', 'health.json'));
      const found = Object.fromEntries(health.sources.map((s) => [s.id, s.foundBy]));
      expect(found['cloudplow-config:config']).toBe('environment PLOWBOARD_CLOUDPLOW_CONFIG');
      expect(found['cloudplow:log']).toBe(`${who} (--logfile)`);
      expect(found['cloudplow:cache.db']).toBe(`${who} (--cachefile)`);
      expect(found['cloudplow:sa_quota_cache.json']).toBe('beside config.json');
      expect(found['rclone:default']).toBeUndefined();
    } finally {
      await stopProcess(proc);
    }
  });
});

/** The vendored upstream cloudplow, when it is beside the repository (always in CI). */
const upstream = path.resolve(process.env.PLOWBOARD_VENDOR ?? path.join(repoRoot, '..', 'shared', 'vendor'), 'cloudplow-upstream');
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
// Python starting cloudplow on a loaded machine: as long as any other wait (helpers/ports.ts).
const until = async (what: string, ok: () => boolean, ms = WAIT_CEILING_MS) => {
  for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 100))) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
};

describe('plowboard check beside a real upstream cloudplow', () => {
  let proc: ChildProcess | null = null;
  afterAll(async () => {
    if (proc) await stopProcess(proc);
  });

  it.skipIf(!existsSync(upstream) && process.env.CI !== 'true')('finds config.json, log and cache.db from its flags and locks/ beside its cloudplow.py, reading only that process from /proc', async () => {
    // A copy: cloudplow makes locks/ beside cloudplow.py, and the vendored folder is not ours to write in.
    const root = mkdtempSync(path.join(tmpdir(), 'plowboard-upstream-'));
    const appDir = path.join(root, 'app');
    cpSync(upstream, appDir, { recursive: true });
    const conf = makeCloudplowFolder({ accounts: 3, canary: CANARY });
    const state = path.join(root, 'state');
    mkdirSync(state);
    const args = [path.join(appDir, 'cloudplow.py'), 'run', '--config', conf.config, `--logfile=${path.join(state, 'cloudplow.log')}`, '--cachefile', path.join(state, 'cache.db')];
    // The first start adds missing settings to config.json and exits: that is cloudplow's own upgrade.
    await new Promise<void>((resolve) => spawn(python, args, { stdio: 'ignore' }).once('exit', () => resolve()));
    proc = spawn(python, args, { stdio: 'ignore' });
    await until('cloudplow in run mode', () => existsSync(path.join(appDir, 'locks')) && existsSync(path.join(state, 'cloudplow.log')) && readFileSync(path.join(state, 'cloudplow.log'), 'utf8').includes('Started in run mode'));
    // A /proc holding only this process (links into the real one): other tests' cloudplows run on this machine too.
    const procRoot = path.join(root, 'proc');
    mkdirSync(procRoot);
    symlinkSync(`/proc/${proc.pid}`, path.join(procRoot, String(proc.pid)));
    const who = `cloudplow process ${proc.pid}`;

    const r = await runCli(['check', '--rclone-url', idleRc, '--output', path.join(root, 'out')], { PLOWBOARD_PROC_ROOT: procRoot });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`cloudplow  ${conf.config} (${who} (--config))  ok`);
    expect(r.stdout).toMatch(new RegExp(`cloudplow.log\\s+found, read\\s+${esc(path.join(state, 'cloudplow.log'))}\\s+\\d+ lines\\n\\s+from: ${who} \\(--logfile\\)`));
    expect(r.stdout).toMatch(new RegExp(`cache.db\\s+found, read\\s+${esc(path.join(state, 'cache.db'))}\\s+0 SA bans \\(0 in force\\), 0 uploader bans.*\\n\\s+from: ${who} \\(--cachefile\\)`));
    expect(r.stdout).toMatch(new RegExp(`locks/\\s+found, read\\s+${esc(path.join(appDir, 'locks'))}\\s+no upload lock\\n\\s+from: beside cloudplow.py \\(${who}\\)`));
    expect(r.stdout).toMatch(/SA folder google\s+found, read\s+\S+\s+3 SA .json files/);
    expect(r.stdout + r.stderr).not.toContain(CANARY);
  }, 60_000);
});

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
