import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from './ports.js';
import { makeFiles, rcloneBin } from './rclone.js';
import { repoRoot } from './sidecarProcess.js';

/**
 * The real cloudplow (upstream, and the fork at two commits), run as a user runs it:
 * `python3 cloudplow.py upload` on a generated config, moving a folder of generated files
 * through the rclone under test to an rclone `memory` remote, which cannot move
 * server-side, so rclone copies then deletes each file as it does to Google Drive.
 */

export const VENDOR_ENV = 'PLOWBOARD_TEST_CLOUDPLOW_VENDOR';

export type Flavor = 'upstream' | 'fork' | 'fork-ea17994';
export const FLAVORS: Flavor[] = ['upstream', 'fork', 'fork-ea17994'];

const inCI = (): boolean => !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());

/** Debian's python3: a pyenv python3 earlier on PATH does not see the Debian packages cloudplow imports. */
export const PYTHON = '/usr/bin/python3';

/**
 * Where the vendored cloudplow copies are, or why they cannot run. In CI a missing copy
 * throws: a skipped real-cloudplow test would look like a pass.
 */
export function cloudplowVendor(): { dir: string; skip: null } | { dir: null; skip: string } {
  const dir = process.env[VENDOR_ENV] || path.resolve(repoRoot, '..', 'shared', 'vendor');
  const missing = [
    ...FLAVORS.filter((f) => !existsSync(path.join(dir, `cloudplow-${f}`, 'cloudplow.py'))).map((f) => `cloudplow-${f}/cloudplow.py`),
    ...(existsSync(PYTHON) ? [] : [PYTHON]),
  ];
  if (!missing.length) {
    // cloudplow exits at import if one of its packages is missing: say which, before any test starts it.
    const r = spawnSync(PYTHON, ['-c', 'import lockfile, schedule, git, sqlitedict, apprise, jsonpickle, psutil, requests'], { encoding: 'utf8' });
    if (r.status !== 0) missing.push(`python3 packages (${r.stderr.trim().split('\n').pop()})`);
  }
  if (!missing.length) return { dir, skip: null };
  const why = `real cloudplow not available: ${missing.join(', ')} missing under ${dir} (set ${VENDOR_ENV})`;
  if (inCI()) throw new Error(why);
  return { dir: null, skip: why };
}

/** rclone's own wording of Drive's per-user limit, which cloudplow's sample config has as a trigger. */
export const RATE_LIMIT_TRIGGER = 'Failed to copy: googleapi: Error 403: User rate limit exceeded';

export interface RealCloudplowOptions {
  files: Array<[name: string, size: number]>;
  /** How many dummy SA files (1.json …); 0 leaves service_account_path empty. */
  accounts: number;
  /** Slows rclone so an upload lasts a few seconds, long enough to watch and to interrupt. */
  bwlimit: string;
  /** SA base names for which the rclone wrapper prints the rate-limit trigger, `triggerAfter` seconds into the run. */
  triggerOn?: string[];
  triggerAfter?: number;
  /** cloudplow's --loglevel. DEBUG (the default) is the level at which it logs rclone's whole command and environment. */
  loglevel?: 'DEBUG' | 'INFO' | 'WARN';
  /** Edits the generated config.json before it is written (a test's canaries, Plex turned on). */
  editConfig?: (config: Record<string, any>) => void;
  /** More environment for cloudplow, which hands its environment on to rclone. */
  env?: Record<string, string>;
}

/** One `rclone` call made through the wrapper: the arguments and the SA cloudplow handed it. */
export interface RcloneCall {
  args: string[];
  serviceAccount: string | null;
}

export class RealCloudplow {
  readonly work: string;
  /** The copy of cloudplow's folder: config.json, cloudplow.log, cache.db and locks/ sit beside cloudplow.py, as on Saltbox. */
  readonly dir: string;
  readonly config: string;
  readonly log: string;
  readonly cacheDb: string;
  readonly uploadFolder: string;
  readonly saDir: string;
  readonly binDir: string;
  readonly callsFile: string;
  readonly remoteRoot = 'gdrive:bucket/Media';
  readonly rcUser = 'cloudplow';
  readonly rcPass = 'rc-secret-pass';
  rcPort = 0;
  proc: ChildProcess | null = null;
  output = '';
  exit: Promise<number | null> = Promise.resolve(null);

  constructor(
    readonly vendorDir: string,
    readonly flavor: Flavor,
    readonly opts: RealCloudplowOptions,
  ) {
    this.work = mkdtempSync(path.join(tmpdir(), `plowboard-realcp-${flavor}-`));
    this.dir = path.join(this.work, 'cloudplow');
    this.config = path.join(this.dir, 'config.json');
    this.log = path.join(this.dir, 'cloudplow.log');
    this.cacheDb = path.join(this.dir, 'cache.db');
    this.uploadFolder = path.join(this.work, 'local', 'Media');
    this.saDir = path.join(this.work, 'service_accounts');
    this.binDir = path.join(this.work, 'bin');
    this.callsFile = path.join(this.work, 'rclone-calls.jsonl');
  }

  get rcUrl(): string {
    return `http://127.0.0.1:${this.rcPort}`;
  }

  async prepare(): Promise<this> {
    this.rcPort = await freePort();
    // cloudplow puts locks/ (and git's Repo.init) beside cloudplow.py; the vendored copy is read-only.
    const cp = spawnSync('cp', ['-r', path.join(this.vendorDir, `cloudplow-${this.flavor}`), this.dir]);
    if (cp.status !== 0) throw new Error(`copying cloudplow-${this.flavor}: ${cp.stderr}`);
    spawnSync('chmod', ['-R', 'u+w', this.dir]);
    rmSync(path.join(this.dir, 'locks'), { recursive: true, force: true });

    for (const dir of new Set(this.opts.files.map(([name]) => path.dirname(name)))) mkdirSync(path.join(this.uploadFolder, dir), { recursive: true });
    makeFiles(this.uploadFolder, this.opts.files);
    mkdirSync(this.saDir, { recursive: true });
    for (let i = 1; i <= this.opts.accounts; i++) {
      writeFileSync(path.join(this.saDir, `${i}.json`), JSON.stringify({ type: 'service_account', client_email: `sa${i}@example.iam.gserviceaccount.com` }));
    }
    const rcloneConf = path.join(this.work, 'rclone.conf');
    writeFileSync(rcloneConf, '[gdrive]\ntype = memory\n');
    this.writeWrapper();
    const config = this.cloudplowConfig(rcloneConf);
    this.opts.editConfig?.(config);
    writeFileSync(this.config, JSON.stringify(config, null, 2));
    return this;
  }

  /**
   * `rclone` first on PATH, in front of the binary under test. cloudplow hands an SA to rclone
   * only for `drive` remotes it finds in `rclone config dump`, through
   * RCLONE_CONFIG_<REMOTE>_SERVICE_ACCOUNT_FILE; the wrapper names the memory remote a drive
   * there, so cloudplow sets that variable (the memory backend ignores it) and the wrapper
   * can tell which SA each run has. On the SAs in `triggerOn` it prints Drive's rate-limit
   * line twice (cloudplow acts on a trigger's second sighting) while rclone runs.
   */
  private writeWrapper(): void {
    mkdirSync(this.binDir, { recursive: true });
    const real = rcloneBin().includes('/') ? path.resolve(rcloneBin()) : (spawnSync('sh', ['-c', `command -v ${rcloneBin()}`], { encoding: 'utf8' }).stdout.trim() || rcloneBin());
    const trigger = (this.opts.triggerOn ?? []).map((s) => `"${s}"`).join(' ');
    const firstFile = this.opts.files[0]?.[0] ?? 'file.mkv';
    const script = `#!/bin/sh
REAL='${real}'
SA="$RCLONE_CONFIG_GDRIVE_SERVICE_ACCOUNT_FILE"
if [ "$1" = config ] && [ "$2" = dump ]; then
  "$REAL" "$@" | sed 's/"type": *"memory"/"type": "drive"/'
  exit $?
fi
printf '{"sa":"%s","args":"%s"}\\n' "$SA" "$*" >> '${this.callsFile}'
case "$1" in
  move|copy)
    for t in ${trigger || '""'}; do
      if [ -n "$t" ] && [ "$(basename "$SA")" = "$t" ]; then
        ( sleep ${this.opts.triggerAfter ?? 2}
          for n in 1 2; do echo "$(date +'%Y/%m/%d %H:%M:%S') ERROR : ${firstFile}: ${RATE_LIMIT_TRIGGER}., userRateLimitExceeded"; done ) &
      fi
    done ;;
esac
exec "$REAL" "$@"
`;
    const file = path.join(this.binDir, 'rclone');
    writeFileSync(file, script);
    chmodSync(file, 0o755);
    if (!existsSync(path.join(this.binDir, 'rclone-real'))) symlinkSync(real, path.join(this.binDir, 'rclone-real'));
  }

  private cloudplowConfig(rcloneConf: string): Record<string, unknown> {
    return {
      core: { dry_run: false, rclone_binary_path: 'rclone', rclone_config_path: rcloneConf },
      hidden: {},
      notifications: {},
      nzbget: { enabled: false, url: 'https://user:password@nzbget.invalid' },
      sabnzbd: { enabled: false, url: 'https://sabnzbd.invalid', apikey: '' },
      plex: {
        enabled: false,
        url: 'https://plex.invalid',
        token: '',
        poll_interval: 60,
        max_streams_before_throttle: 1,
        ignore_local_streams: true,
        notifications: false,
        rclone: { url: 'http://localhost:7949', throttle_speeds: { '1': '50M', '2': '40M', '3': '30M', '4': '20M', '5': '10M' } },
      },
      dashboard: { enabled: false },
      remotes: {
        google: {
          upload_folder: this.uploadFolder,
          upload_remote: this.remoteRoot,
          hidden_remote: 'gdrive:',
          sync_remote: this.remoteRoot,
          rclone_command: 'move',
          remove_empty_dir_depth: 2,
          rclone_excludes: ['**partial~', '**_HIDDEN~', '.unionfs/**', '.unionfs-fuse/**'],
          rclone_extras: {
            '--rc': null,
            '--rc-addr': `127.0.0.1:${this.rcPort}`,
            '--rc-user': this.rcUser,
            '--rc-pass': this.rcPass,
            '--transfers': 4,
            '--checkers': 4,
            '--bwlimit': this.opts.bwlimit,
            '--stats': '1s',
            '-v': null,
          },
          rclone_sleeps: {
            [RATE_LIMIT_TRIGGER]: { count: 2, sleep: 25, timeout: 3600 },
          },
        },
      },
      syncer: {},
      uploader: {
        google: {
          can_be_throttled: false,
          check_interval: 30,
          exclude_open_files: false,
          max_size_gb: 0,
          opened_excludes: [],
          size_excludes: [],
          schedule: { enabled: false, allowed_from: '04:00', allowed_until: '08:00' },
          service_account_path: this.opts.accounts ? this.saDir : '',
        },
      },
    };
  }

  /** `cloudplow.py upload`, in its own process group so a kill takes its rclone too. */
  start(): this {
    const args = [path.join(this.dir, 'cloudplow.py'), 'upload', '--config', this.config, '--logfile', this.log, '--cachefile', this.cacheDb, '--loglevel', this.opts.loglevel ?? 'DEBUG'];
    this.proc = spawn(PYTHON, args, {
      cwd: this.dir,
      detached: true,
      env: { ...this.opts.env, PATH: `${this.binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: this.work, LANG: 'C.UTF-8', PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.proc.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    const p = this.proc;
    this.exit = new Promise((resolve) => p.once('exit', (code) => resolve(code)));
    return this;
  }

  /** Waits for cloudplow to finish on its own. */
  async finished(timeoutMs = 50_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`cloudplow ${this.flavor} did not finish in ${timeoutMs} ms; its output:\n${this.output.slice(-3000)}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exit, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL to cloudplow and its rclone at once, as an OOM kill of the service or `systemctl kill` does. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    try {
      process.kill(-p.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await this.exit;
  }

  async rc(method: string, input: Record<string, unknown> = {}): Promise<{ ok: boolean; body: any }> {
    try {
      const res = await fetch(`${this.rcUrl}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${this.rcUser}:${this.rcPass}`).toString('base64')}` },
        body: JSON.stringify(input),
      });
      return { ok: res.ok, body: await res.json().catch(() => null) };
    } catch {
      return { ok: false, body: null };
    }
  }

  /** Resolves once rclone's RC answers with at least one file done or in flight. */
  async uploading(timeoutMs = 30_000): Promise<void> {
    await waitFor(`cloudplow ${this.flavor}'s rclone uploading`, async () => {
      const r = await this.rc('core/stats');
      return r.ok && ((r.body?.transfers ?? 0) > 0 || (r.body?.transferring?.length ?? 0) > 0);
    }, timeoutMs, 100);
  }

  logText(): string {
    return existsSync(this.log) ? readFileSync(this.log, 'utf8') : '';
  }

  /** The files rclone reported `Copied (new)` in cloudplow's log, as paths under the upload folder. */
  copiedInLog(): string[] {
    return [...this.logText().matchAll(/INFO\s+:\s+(.+?):\s+Copied \(new\)/g)].map((m) => m[1]!);
  }

  localFiles(): string[] {
    const out: string[] = [];
    const walk = (d: string, rel: string) => {
      if (!existsSync(d)) return;
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name), path.posix.join(rel, e.name));
        else out.push(path.posix.join(rel, e.name));
      }
    };
    walk(this.uploadFolder, '');
    return out.sort();
  }

  calls(): RcloneCall[] {
    if (!existsSync(this.callsFile)) return [];
    return readFileSync(this.callsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const j = JSON.parse(l) as { sa: string; args: string };
        return { args: j.args.split(' '), serviceAccount: j.sa || null };
      });
  }

  /** cache.db's tables as cloudplow's sqlitedict wrote them (values are JSON text). */
  cacheTables(): Record<string, Record<string, unknown>> {
    if (!existsSync(this.cacheDb)) return {};
    const r = spawnSync(
      PYTHON,
      [
        '-c',
        `import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
out = {}
for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'"):
    out[t] = {k: json.loads(v) for k, v in db.execute(f'SELECT key, value FROM "{t}"')}
print(json.dumps(out))`,
        this.cacheDb,
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`reading ${this.cacheDb}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
  }

  /** The fork's dashboard_session_state.json, or null while absent or half-written (it is not written atomically). */
  sessionFile(): Record<string, unknown> | null {
    try {
      return JSON.parse(readFileSync(path.join(this.dir, 'dashboard_session_state.json'), 'utf8')) as Record<string, unknown>;
    } catch {
      return null;
    }
  }

  lockHeld(): boolean {
    return existsSync(path.join(this.dir, 'locks', 'upload.lock'));
  }

  async cleanup(): Promise<void> {
    await this.kill();
    rmSync(this.work, { recursive: true, force: true });
  }
}
