import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * cloudplow's files, written by python3 the way cloudplow writes them: json.dump into a
 * file opened with 'w' (truncate, then write: readers can see it half done), logging's
 * RotatingFileHandler with cloudplow's format, and sqlitedict's table layout in cache.db.
 */
const PRELUDE = `
import json, sqlite3, sys, time, logging, os
from logging.handlers import RotatingFileHandler
FORMAT = '%(asctime)s - %(levelname)-10s - %(name)-20s - %(funcName)-30s - %(message)s'
def dump(path, value):
    with open(path, 'w') as f:
        json.dump(value, f, indent=2)
def bans(db_path, table, mapping):
    db = sqlite3.connect(db_path)
    db.execute(f'CREATE TABLE IF NOT EXISTS "{table}" (key TEXT PRIMARY KEY, value BLOB)')
    for k, v in mapping.items():
        db.execute(f'REPLACE INTO "{table}" (key, value) VALUES (?, ?)', (k, json.dumps(v)))
    db.commit()
    db.close()
def logger(path, max_bytes=5*1024*1024, backups=5):
    h = RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups, encoding='utf-8')
    h.setFormatter(logging.Formatter(FORMAT))
    for name in ('cloudplow', 'uploader', 'process'):
        l = logging.getLogger(name)
        l.handlers = [h]
        l.setLevel(logging.INFO)
    return h
`;

export function python(code: string, args: string[] = []): string {
  const r = spawnSync('python3', ['-c', `${PRELUDE}\n${code}`, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return r.stdout;
}

/** A python3 process left running (a writer in a loop, a lock held). */
export function pythonProcess(code: string, args: string[] = []): ChildProcess & { output: () => string } {
  const p = spawn('python3', ['-u', '-c', `${PRELUDE}\n${code}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return Object.assign(p, { output: () => out });
}

export function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    p.once('exit', () => resolve());
    p.kill('SIGTERM');
  });
}

/** Writes a JSON file exactly as cloudplow does (open 'w' + json.dump(indent=2)). */
export const dumpJson = (file: string, value: unknown) => python(`dump(sys.argv[1], json.loads(sys.argv[2]))`, [file, JSON.stringify(value)]);

/** Rows into one of cache.db's sqlitedict tables (sa_bans, uploader_bans). */
export const writeBans = (db: string, table: string, mapping: Record<string, unknown>) => python(`bans(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]))`, [db, table, JSON.stringify(mapping)]);

export type LogEntry = [logger: string, level: 'info' | 'warning' | 'error', message: string, atEpochSeconds?: number];

/** Log lines through cloudplow's handler and format; a line may carry the time it claims to be from. */
export const writeLog = (file: string, lines: LogEntry[]) =>
  python(
    `logger(sys.argv[1])
base = logging.getLogRecordFactory()
at = [None]
def factory(*a, **k):
    r = base(*a, **k)
    if at[0] is not None:
        r.created = at[0]
        r.msecs = (at[0] % 1) * 1000
    return r
logging.setLogRecordFactory(factory)
for entry in json.loads(sys.argv[2]):
    name, level, msg = entry[:3]
    at[0] = entry[3] if len(entry) > 3 else None
    getattr(logging.getLogger(name), level)(msg)`,
    [file, JSON.stringify(lines)],
  );

export interface CloudplowFolder {
  dir: string;
  config: string;
  saDir: string;
  log: string;
  cacheDb: string;
}

/** A cloudplow installation: config.json with one uploader, `accounts` SA files (with a planted key), nothing else yet. */
export function makeCloudplowFolder(opts: { accounts: number; uploader?: string; canary?: string }): CloudplowFolder {
  const dir = mkdtempSync(path.join(tmpdir(), 'plowboard-cloudplow-'));
  const saDir = path.join(dir, 'service_accounts');
  const uploader = opts.uploader ?? 'google';
  const canary = opts.canary ?? 'CANARY-KEY-0000';
  mkdirSync(saDir);
  python(
    `d = sys.argv[1]
for i in range(1, int(sys.argv[2]) + 1):
    dump(os.path.join(d, f'{i}.json'), {'type': 'service_account', 'private_key': sys.argv[3], 'client_email': f'sa{i}@x.iam.gserviceaccount.com'})`,
    [saDir, String(opts.accounts), `-----BEGIN PRIVATE KEY-----${canary}-----END PRIVATE KEY-----`],
  );
  const config = path.join(dir, 'config.json');
  dumpJson(config, {
    core: { dry_run: false, rclone_binary_path: '/usr/bin/rclone', rclone_config_path: path.join(dir, 'rclone.conf') },
    plex: { enabled: false, url: 'http://localhost:32400', token: `PLEX-${canary}`, rclone: { url: 'http://127.0.0.1:9' } },
    nzbget: { enabled: false, url: `https://user:NZB-${canary}@nzbget.example` },
    remotes: { [uploader]: { upload_remote: `${uploader}:/Media`, upload_folder: '/mnt/local/Media', rclone_sleeps: {} } },
    uploader: { [uploader]: { check_interval: 30, max_size_gb: 200, service_account_path: saDir } },
  });
  return { dir, config, saDir, log: path.join(dir, 'cloudplow.log'), cacheDb: path.join(dir, 'cache.db') };
}

/** Every file under a folder with its hash and mode: to prove plowboard changed nothing there. */
export function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = `${statSync(p).mode}:${createHash('sha1').update(readFileSync(p)).digest('hex')}`;
    }
  };
  walk(dir);
  return out;
}
