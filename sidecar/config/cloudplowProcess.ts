import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { parseCloudplowArgv, type CloudplowLaunch } from './cloudplowLaunch.js';

const WANTED_ENV = ['CLOUDPLOW_CONFIG', 'CLOUDPLOW_LOGFILE', 'CLOUDPLOW_CACHEFILE'];

/**
 * Every python process running cloudplow.py, read from /proc (or a copy of it). Never
 * throws: processes end between listing and reading, and another user's cwd and environ
 * are unreadable; such a process is skipped, or read without the part that failed.
 * Only cmdline, the cwd link and three variables of environ are read.
 */
export function findCloudplowProcesses(procRoot = '/proc'): Array<CloudplowLaunch & { pid: number }> {
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return [];
  }
  const found: Array<CloudplowLaunch & { pid: number }> = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const dir = path.join(procRoot, name);
    const argv = readNulList(path.join(dir, 'cmdline'));
    // Cheap test before any other read: most processes are not cloudplow.
    if (!argv?.some((a) => path.basename(a) === 'cloudplow.py')) continue;
    const cwd = readLink(path.join(dir, 'cwd'));
    const env = readEnv(path.join(dir, 'environ'));
    const launch = parseCloudplowArgv(argv, cwd, env, `cloudplow process ${name}`);
    if (launch) found.push({ ...launch, pid: Number(name) });
  }
  return found.sort((a, b) => a.pid - b.pid);
}

function readNulList(file: string): string[] | null {
  try {
    const text = readFileSync(file, 'utf8');
    return text ? text.replace(/\0$/, '').split('\0') : null;
  } catch {
    return null;
  }
}

function readLink(file: string): string | null {
  try {
    return readlinkSync(file);
  } catch {
    return null;
  }
}

/** Only cloudplow's own variables are kept: the rest of a process's environment is none of plowboard's business. */
function readEnv(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readNulList(file) ?? []) {
    const eq = entry.indexOf('=');
    const key = entry.slice(0, eq);
    if (eq > 0 && WANTED_ENV.includes(key)) env[key] = entry.slice(eq + 1);
  }
  return env;
}
