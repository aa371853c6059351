import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { QuotaCache, SessionFile } from '../sidecar/demo/forkFiles.js';
import { writeLearnedSizes } from '../sidecar/demo/learnedSizes.js';
import { dumpJson, makeCloudplowFolder, stopProcess, writeLog, type CloudplowFolder } from '../test/helpers/cloudplow.js';
import { uploadLog } from './uploadLog.js';
import { freePort, waitFor } from '../test/helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../test/helpers/rclone.js';

export const FORK_DIR = '/work/shared/vendor/cloudplow-fork';
const STAGE_PARAMS = { strategy: 'balanced', max_transfer: '750G', max_size: '50G', transfers: 8, order_by: 'size,mixed,50', max_backlog: 200000 };
const GiB = 1024 ** 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One cloudplow installation in the fork's layout: config.json, `accounts` SA files, and
 * the state the fork keeps beside its config (sa_quota_cache.json, an active
 * dashboard_session_state.json, learned_sizes_cache.json) — read by both dashboards.
 * The fork's dashboard is copied in beside it: app.py looks for config.json one folder
 * above itself (after /config and /opt/cloudplow), and reads its state from there.
 */
export function forkInstallation(accounts: number, forkPort: number, rcUrl: string): CloudplowFolder & { quota: QuotaCache; session: SessionFile; saPaths: string[] } {
  const cp = makeCloudplowFolder({ accounts });
  const settings = JSON.parse(readFileSync(cp.config, 'utf8')) as Record<string, unknown>;
  dumpJson(cp.config, { ...settings, dashboard: { enabled: true, host: '127.0.0.1', port: forkPort, rc_url: rcUrl } });
  cpSync(path.join(FORK_DIR, 'dashboard'), path.join(cp.dir, 'dashboard'), { recursive: true });
  cpSync(path.join(FORK_DIR, 'utils'), path.join(cp.dir, 'utils'), { recursive: true });

  const now = Date.now() / 1000;
  const saPaths = Array.from({ length: accounts }, (_, i) => path.join(cp.saDir, `${i + 1}.json`));
  const quota = new QuotaCache(path.join(cp.dir, 'sa_quota_cache.json'), 'google');
  // A day into a rotation: the first third used up, one in use, the rest fresh or partly used.
  saPaths.forEach((sa, i) => {
    if (i < accounts / 3) quota.set(sa, { bytes: 750 * GiB - (i % 7) * GiB, first_upload: now - 20 * 3600 + i * 60, reset_time: now + 4 * 3600 + i * 60 });
    else if (i % 4 === 0) quota.set(sa, { bytes: (i % 500) * GiB, first_upload: now - 3600, reset_time: now + 23 * 3600 });
  });
  quota.save();
  // Between uploads, as most of a day: the last session ended an hour ago, in the session file and in cloudplow's log.
  const session = new SessionFile(path.join(cp.dir, 'dashboard_session_state.json'));
  session.start('google', accounts, '/mnt/local/Media', new Date(Date.now() - 4 * 3600_000));
  const current = Math.floor(accounts / 3);
  session.useSa(current, saPaths[current]!);
  session.setTotals(4000, 9 * 1024 * GiB);
  session.stageParams(STAGE_PARAMS);
  session.end(new Date(Date.now() - 3600_000));
  writeLog(cp.log, [
    ['cloudplow', 'info', 'Starting upload', now - 4 * 3600],
    ['cloudplow', 'info', "Uploading '/mnt/local/Media' to remote: google", now - 4 * 3600],
    ['uploader', 'info', `Using service account: ${saPaths[current]}`, now - 4 * 3600],
    ['cloudplow', 'info', 'Finished upload', now - 3600],
  ]);
  const sizes = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ((i * 2654435761 + seed) % 4000) * 1024 ** 2 + 1);
  writeLearnedSizes(path.join(cp.dir, 'learned_sizes_cache.json'), 'google', '/mnt/local/Media', sizes(4000, 1), sizes(1200, 7));
  return { ...cp, quota, session, saPaths };
}

/** The fork's Flask dashboard, run with Debian's python3 as its start_dashboard.sh does. */
export async function startForkDashboard(dir: string, port: number): Promise<ChildProcess & { output: () => string }> {
  const proc = spawn('python3', [path.join(dir, 'dashboard', 'app.py')], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  // Werkzeug logs a line per request to stderr: part of what the fork costs, read and dropped here.
  proc.stderr!.on('data', (d: Buffer) => {
    if (err.length < 4000) err += d.toString();
  });
  const p = Object.assign(proc, { output: () => err });
  await waitFor('the fork dashboard', async () => {
    if (proc.exitCode !== null) throw new Error(`the fork dashboard exited: ${err}`);
    return fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false);
  });
  return p;
}

/**
 * rclone busy the way an upload is: `transfers` files in flight at once under a bandwidth
 * limit (asked for in the copy's own `_config`, and checked against core/stats'
 * `transferring`), and cloudplow's side moving with it: a log line every 2 s, the quota
 * cache and the session file rewritten every 10 s.
 */
export async function startBusyUpload(rclone: RcloneDaemon, cp: ReturnType<typeof forkInstallation>, transfers: number, bytesPerSecond: number, seconds: number) {
  const src = path.join(rclone.workDir, 'busy-src');
  const dst = path.join(rclone.workDir, 'busy-dst');
  // Each file big enough to stay in flight for the whole run at its share of the limit.
  const size = Math.ceil((bytesPerSecond / transfers) * (seconds + 120));
  makeFiles(src, Array.from({ length: transfers }, (_, i) => [`Movies/Film ${i + 1} (2026)/Film.${i + 1}.2160p.mkv`, size] as [string, number]).map(([n, s]) => {
    mkdirSync(path.dirname(path.join(src, n)), { recursive: true });
    return [n, s];
  }));
  // Writing the files holds the event loop for a while: a kept-alive connection to rclone
  // may have been closed meanwhile, so each call is tried again once or twice.
  const rc = async (method: string, input: Record<string, unknown>) => {
    for (let i = 0; ; i++) {
      const a = await rclone.rc(method, input);
      if (a.ok || i === 2) return a;
      await sleep(1000);
    }
  };
  // A bare number would be KiB to rclone.
  const limit = await rc('core/bwlimit', { rate: `${Math.round(bytesPerSecond / 1024)}K` });
  if (!limit.ok) throw new Error(`core/bwlimit failed: ${JSON.stringify(limit.body)}`);
  const r = await rc('sync/copy', { srcFs: src, dstFs: dst, _async: true, _config: { Transfers: transfers, Checkers: transfers } });
  if (!r.ok) throw new Error(`sync/copy failed: ${JSON.stringify(r.body)}`);
  await waitFor(`${transfers} transfers in flight`, async () => (await inFlight(rclone)) === transfers);

  // cloudplow starts an upload: a new session, the log's opening lines, then a line every 2 s.
  const index = Math.floor(cp.saPaths.length / 3);
  const current = cp.saPaths[index]!;
  cp.session.start('google', cp.saPaths.length, '/mnt/local/Media');
  cp.session.useSa(index, current);
  cp.session.setTotals(4000, 9 * 1024 * GiB);
  cp.session.stageParams(STAGE_PARAMS);
  const writer = uploadLog(cp.log, { everySeconds: 2, account: current });
  let stopped = false;
  const state = (async () => {
    for (let i = 1; !stopped; i++) {
      await sleep(10_000);
      if (stopped) break;
      cp.quota.add(current, 2 * GiB);
      for (let k = 0; k < 10; k++) cp.session.fileDone(200 * 1024 ** 2);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await stopProcess(writer);
      await state;
      await rclone.rc('job/stop', { jobid: (r.body as { jobid: number }).jobid });
      rmSync(src, { recursive: true, force: true });
      rmSync(dst, { recursive: true, force: true });
    },
  };
}

/** How many files rclone says it is moving right now. */
export async function inFlight(rclone: RcloneDaemon): Promise<number> {
  const r = await rclone.rc('core/stats');
  return ((r.body as { transferring?: unknown[] } | null)?.transferring ?? []).length;
}

export { freePort };
