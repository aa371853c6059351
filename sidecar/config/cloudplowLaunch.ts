import { realpathSync } from 'node:fs';
import path from 'node:path';

export type LaunchKey = 'config' | 'logfile' | 'cachefile';
const FLAGS: Record<LaunchKey, string> = { config: '--config', logfile: '--logfile', cachefile: '--cachefile' };
const ENV: Record<LaunchKey, string> = { config: 'CLOUDPLOW_CONFIG', logfile: 'CLOUDPLOW_LOGFILE', cachefile: 'CLOUDPLOW_CACHEFILE' };

/** One way cloudplow is (or will be) started: a running process, or a systemd unit. */
export interface CloudplowLaunch {
  /** How it reads in a "found by" note: "cloudplow process 1234", "systemd unit /etc/systemd/system/cloudplow.service". */
  label: string;
  /** Absolute path of cloudplow.py: its folder holds locks/ and, by default, the log and cache.db. */
  script: string;
  /** Each path cloudplow was told, and by what ("--logfile", "CLOUDPLOW_LOGFILE"). */
  paths: Partial<Record<LaunchKey, { path: string; by: string }>>;
}

/**
 * Reads cloudplow's own argv (`python3 [opts] …/cloudplow.py [cmd] --config X --logfile=Y`)
 * the way its argparse does: cloudplow takes the command line first, then its
 * environment, then the folder of cloudplow.py. Relative paths are resolved against
 * the folder the process (or unit) runs in; when that folder is unknown (null), a relative
 * path cannot be placed and is left out. Not cloudplow: null.
 */
export function parseCloudplowArgv(argv: string[], cwd: string | null, env: Record<string, string> = {}, label = 'cloudplow'): CloudplowLaunch | null {
  const at = argv.findIndex((a) => path.basename(a) === 'cloudplow.py');
  if (at < 0) return null;
  // python running the script, `env python3` (units), or the script by its shebang. A
  // wrapper such as sudo is left out: the python it starts is found on its own.
  const interpreter = (a: string | undefined) => a !== undefined && /^python[\d.]*$/i.test(path.basename(a));
  const first = argv[0] === undefined ? '' : path.basename(argv[0]);
  if (at > 0 && !(interpreter(argv[0]) || (first === 'env' && argv.slice(1, at).some(interpreter)))) return null;
  const place = (p: string): string | null => (path.isAbsolute(p) ? path.normalize(p) : cwd ? path.resolve(cwd, p) : null);
  const scriptPath = place(argv[at]!);
  if (!scriptPath) return null;
  const script = realOrSame(scriptPath);
  const rest = argv.slice(at + 1);
  const paths: CloudplowLaunch['paths'] = {};
  for (const key of Object.keys(FLAGS) as LaunchKey[]) {
    const flag = flagValue(rest, FLAGS[key]);
    const value = flag ?? (env[ENV[key]]?.trim() || null);
    const placed = value ? place(value) : null;
    if (placed) paths[key] = { path: placed, by: flag ? FLAGS[key] : ENV[key] };
  }
  return { label, script, paths };
}

/** `--x=v` or `--x v`; the last one wins, as in argparse. A bare `--x` (nargs='?') means the default. */
function flagValue(args: string[], flag: string): string | null {
  let value: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a.startsWith(`${flag}=`)) value = a.slice(flag.length + 1) || null;
    else if (a === flag) {
      const next = args[i + 1];
      value = next !== undefined && !next.startsWith('-') ? next : null;
      if (value !== null) i++;
    }
  }
  return value;
}

/** cloudplow takes its folder from realpath(sys.argv[0]): a symlinked cloudplow.py keeps locks/ beside the real file. */
function realOrSame(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** The config.json this launch reads: what it was told, else the one beside cloudplow.py. */
export function launchConfig(launch: CloudplowLaunch): string {
  return launch.paths.config?.path ?? path.join(path.dirname(launch.script), 'config.json');
}
