import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { cloudplowConfigSecrets } from '../normalize/configSecrets.js';
import { jsonSyntaxMessage } from '../normalize/jsonSyntax.js';
import { redactor } from '../normalize/secrets.js';
import { ConfigError } from './configError.js';
import { findCloudplowConfig, rcUrlFromCloudplow } from './cloudplow.js';
import { discoverLaunches, discoveryOptions, launchesFor } from './cloudplowDiscovery.js';
import { launchConfig, type CloudplowLaunch } from './cloudplowLaunch.js';
import { parseRcUrl } from './rcloneUrl.js';
import { resolveServeSettings } from './serveSettings.js';
import {
  DEFAULTS,
  PlowboardConfigFile,
  type RcloneInstance,
  type RcloneInstanceConfig,
  type ResolvedConfig,
  type SaQuota,
} from './schema.js';

/** Flags as commander hands them over: strings, or string arrays for repeatable flags. */
export interface ConfigFlags {
  config?: string;
  cloudplowConfig?: string;
  rcloneUrl?: string[];
  rcloneUser?: string;
  rclonePassFile?: string;
  output?: string;
  stateDir?: string;
  host?: string;
  port?: string;
  interval?: string;
  transfersLimit?: string;
  saQuota?: string;
  logLines?: string;
  allowedHost?: string[];
  frameAncestors?: string;
  authFile?: string;
}

type Env = Record<string, string | undefined>;

interface Picked<T> {
  value: T;
  where: string;
  key: string | null;
}

/**
 * Resolves plowboard's configuration: its JSON file, then PLOWBOARD_* variables, then
 * flags (flags win), plus cloudplow's config for the rclone URL. `launches` are the
 * cloudplow processes and units found on this host (none unless the caller looked).
 * Throws ConfigError.
 */
export function loadConfig(flags: ConfigFlags, env: Env = process.env, cwd = process.cwd(), launches: CloudplowLaunch[] = []): ResolvedConfig {
  const configPath = flags.config ?? nonEmpty(env.PLOWBOARD_CONFIG);
  const configFile = configPath ? path.resolve(cwd, configPath) : null;
  const file = configFile ? readConfigFile(configFile) : {};
  const fileWhere = configFile ?? '';

  const pick = <T>(
    flag: string | undefined,
    flagName: string,
    envName: string,
    fileValue: T | undefined,
    fileKey: string,
  ): Picked<T | string> | null => {
    if (flag !== undefined) return { value: flag, where: flagName, key: null };
    const e = nonEmpty(env[envName]);
    if (e !== undefined) return { value: e, where: `environment ${envName}`, key: null };
    if (fileValue !== undefined) return { value: fileValue, where: fileWhere, key: fileKey };
    return null;
  };

  const output = str(pick(flags.output, '--output', 'PLOWBOARD_OUTPUT', file.output, 'output')) ?? DEFAULTS.output;
  const stateDir = str(pick(flags.stateDir, '--state-dir', 'PLOWBOARD_STATE_DIR', file.stateDir, 'stateDir')) ?? DEFAULTS.stateDir;
  const host = str(pick(flags.host, '--host', 'PLOWBOARD_HOST', file.host, 'host')) ?? DEFAULTS.host;
  const port = num(pick(flags.port, '--port', 'PLOWBOARD_PORT', file.port, 'port'), { min: 0, max: 65535, integer: true }) ?? DEFAULTS.port;
  const intervalSeconds =
    num(pick(flags.interval, '--interval', 'PLOWBOARD_INTERVAL', file.interval, 'interval'), { min: 0.2, max: 3600 }) ?? DEFAULTS.interval;
  const transfersLimit =
    num(pick(flags.transfersLimit, '--transfers-limit', 'PLOWBOARD_TRANSFERS_LIMIT', file.transfersLimit, 'transfersLimit'), {
      min: 100,
      max: 100000,
      integer: true,
    }) ?? DEFAULTS.transfersLimit;

  const quotaPick = pick(flags.saQuota, '--sa-quota', 'PLOWBOARD_SA_QUOTA', file.saQuota, 'saQuota');
  const saQuota = parseQuota(quotaPick ? String(quotaPick.value) : DEFAULTS.saQuota, quotaPick);
  const logLines =
    num(pick(flags.logLines, '--log-lines', 'PLOWBOARD_LOG_LINES', file.logLines, 'logLines'), { min: 10, max: 100000, integer: true }) ?? DEFAULTS.logLines;

  // plowboard's own setting, then what a running cloudplow or its unit was told, then
  // cloudplow's variable, then the config.json beside a known cloudplow.py, then the usual places.
  const own = pick(flags.cloudplowConfig, '--cloudplow-config', 'PLOWBOARD_CLOUDPLOW_CONFIG', file.cloudplowConfig, 'cloudplowConfig');
  const told = launches.find((l) => l.paths.config && existsSync(l.paths.config.path));
  const beside = launches.find((l) => !l.paths.config && existsSync(launchConfig(l)));
  const cpPick: { path: string; from: string } | null = own
    ? { path: String(own.value), from: own.key ? `${own.where}: ${own.key}` : own.where }
    : told
      ? { path: told.paths.config!.path, from: `${told.label} (${told.paths.config!.by})` }
      : nonEmpty(env.CLOUDPLOW_CONFIG)
        ? { path: env.CLOUDPLOW_CONFIG!, from: 'environment CLOUDPLOW_CONFIG' }
        : beside
          ? { path: launchConfig(beside), from: `beside cloudplow.py (${beside.label})` }
          : null;
  const cloudplow = findCloudplowConfig(cpPick, cwd);
  const ours = cloudplow.ref.path ? launchesFor(cloudplow.ref.path, launches) : [];

  const rclone = resolveRclone(flags, env, file, fileWhere, cloudplow.settings, cwd);
  const serve = resolveServeSettings(
    {
      allowedHosts: pick(flags.allowedHost?.join(','), '--allowed-host', 'PLOWBOARD_ALLOWED_HOST', file.allowedHosts, 'allowedHosts'),
      frameAncestors: pick(flags.frameAncestors, '--frame-ancestors', 'PLOWBOARD_FRAME_ANCESTORS', file.frameAncestors, 'frameAncestors'),
      authFile: pick(flags.authFile, '--auth-file', 'PLOWBOARD_AUTH_FILE', file.authFile, 'authFile'),
    },
    cwd,
  );

  return {
    configFile,
    cloudplow: cloudplow.ref,
    cloudplowSettings: cloudplow.settings,
    cloudplowProblem: cloudplow.problem,
    output: path.resolve(cwd, output),
    stateDir: path.resolve(cwd, stateDir),
    host,
    port,
    intervalSeconds,
    transfersLimit,
    saQuota,
    logLines,
    cloudplowPaths: resolvePaths(file.cloudplowPaths ?? {}, configFile ? path.dirname(configFile) : cwd),
    cloudplowLaunches: ours,
    cloudplowOthers: launches.filter((l) => !ours.includes(l)).map((l) => `${l.label} reads ${launchConfig(l)}`),
    rclone,
    serve,
  };
}

/** "750GiB", "750 GB", "0.5TiB": the unit is explicit, because Google says GB and the fork means GiB. */
function parseQuota(text: string, where: Picked<unknown> | null): SaQuota {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(GiB|GB|TiB|TB)\s*$/i.exec(text);
  if (!m) throw new ConfigError(where?.where ?? 'default', where?.key ?? null, `must be an amount with a unit such as 750GiB or 750GB, not ${JSON.stringify(text)}`);
  const amount = Number(m[1]);
  const unit = ({ gib: 'GiB', gb: 'GB', tib: 'TiB', tb: 'TB' } as const)[m[2]!.toLowerCase() as 'gib' | 'gb' | 'tib' | 'tb'];
  const factor = { GiB: 1024 ** 3, GB: 1e9, TiB: 1024 ** 4, TB: 1e12 }[unit];
  const bytesPerAccount = Math.round(amount * factor);
  if (bytesPerAccount <= 0) throw new ConfigError(where?.where ?? 'default', where?.key ?? null, 'must be more than zero');
  return {
    bytesPerAccount,
    label: `${amount} ${unit}`,
    unit: unit.includes('i') ? 'GiB' : 'GB',
    windowHours: 24,
    from: where ? (where.key ? `${where.where}: ${where.key}` : where.where) : "default: the cloudplow fork's 750 GiB",
  };
}

function resolvePaths(paths: NonNullable<PlowboardConfigFile['cloudplowPaths']>, base: string): ResolvedConfig['cloudplowPaths'] {
  return Object.fromEntries(Object.entries(paths).map(([k, v]) => [k, path.resolve(base, v)]));
}

function readConfigFile(file: string): PlowboardConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(file, null, code === 'ENOENT' ? 'file does not exist' : `cannot read it (${code ?? String(err)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Position only: Node's message quotes the text around the error, passwords included.
    throw new ConfigError(file, null, jsonSyntaxMessage(text));
  }
  const first = Value.Errors(PlowboardConfigFile, parsed).First();
  if (first) {
    const key = first.path.replace(/^\//, '').replace(/\//g, '.') || '(top level)';
    const unknownKey = first.schema && (first.schema as { additionalProperties?: boolean }).additionalProperties === false;
    const problem = unknownKey && /Unexpected property/i.test(first.message) ? 'unknown setting' : first.message.toLowerCase();
    throw new ConfigError(file, key, problem);
  }
  return parsed as PlowboardConfigFile;
}

function resolveRclone(
  flags: ConfigFlags,
  env: Env,
  file: PlowboardConfigFile,
  fileWhere: string,
  cloudplowSettings: Record<string, unknown> | null,
  cwd: string,
): RcloneInstance[] {
  let entries: Array<{ cfg: RcloneInstanceConfig; where: string; key: string | null }>;
  const envUrls = nonEmpty(env.PLOWBOARD_RCLONE_URL);
  if (flags.rcloneUrl?.length) {
    entries = flags.rcloneUrl.map((spec) => ({ cfg: splitNamed(spec), where: '--rclone-url', key: null }));
  } else if (envUrls) {
    entries = envUrls
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((spec) => ({ cfg: splitNamed(spec), where: 'environment PLOWBOARD_RCLONE_URL', key: null }));
  } else if (file.rclone) {
    entries = file.rclone.map((cfg, i) => ({ cfg, where: fileWhere, key: `rclone.${i}` }));
  } else {
    entries = [{ cfg: { url: rcUrlFromCloudplow(cloudplowSettings) ?? DEFAULTS.rcloneUrl }, where: 'cloudplow config', key: null }];
  }

  const seen = new Set<string>();
  const instances = entries.map(({ cfg, where, key }, i): RcloneInstance => {
    let parsed;
    try {
      parsed = parseRcUrl(cfg.url);
    } catch (err) {
      throw new ConfigError(where, key ? `${key}.url` : null, (err as Error).message);
    }
    // A flag is in the process list for every user of the host to read; a config file or
    // the environment is not.
    if (parsed.pass !== null && where === '--rclone-url') throw new ConfigError(where, null, PASSWORD_ON_COMMAND_LINE);
    const name = cfg.name ?? (entries.length === 1 ? 'default' : new URL(parsed.url).host.replace(/[^A-Za-z0-9._-]/g, '_'));
    if (seen.has(name)) throw new ConfigError(where, key ? `${key}.name` : null, `two rclone instances are named "${name}"`);
    seen.add(name);

    let user = cfg.user ?? parsed.user;
    let pass = parsed.pass;
    let credentialsFrom: string | null = parsed.pass !== null ? 'url' : null;
    if (cfg.pass !== undefined) [pass, credentialsFrom] = [cfg.pass, where];
    if (cfg.passFile) [pass, credentialsFrom] = [readSecretFile(path.resolve(cwd, cfg.passFile), where, `${key}.passFile`), cfg.passFile];

    // The PLOWBOARD_RCLONE_* credentials are for the default (first) instance.
    if (i === 0) {
      const envUser = flags.rcloneUser ?? nonEmpty(env.PLOWBOARD_RCLONE_USER);
      if (envUser !== undefined) user = envUser;
      const passFile = flags.rclonePassFile ?? nonEmpty(env.PLOWBOARD_RCLONE_PASS_FILE);
      const passFrom = flags.rclonePassFile ? '--rclone-pass-file' : 'environment PLOWBOARD_RCLONE_PASS_FILE';
      if (env.PLOWBOARD_RCLONE_PASS !== undefined && env.PLOWBOARD_RCLONE_PASS !== '') {
        [pass, credentialsFrom] = [env.PLOWBOARD_RCLONE_PASS, 'environment PLOWBOARD_RCLONE_PASS'];
      }
      if (passFile) [pass, credentialsFrom] = [readSecretFile(path.resolve(cwd, passFile), passFrom, null), passFile];
    }
    if (pass !== null && !user) throw new ConfigError(where, key ? `${key}.user` : null, 'a password is set but no user');
    return { name, url: parsed.url, user: user ?? null, pass, credentialsFrom: pass !== null ? credentialsFrom : null };
  });
  return instances;
}

export const PASSWORD_ON_COMMAND_LINE =
  'refused: a password on the command line is visible to every user in the process list; give the URL without it and the password in PLOWBOARD_RCLONE_PASS, PLOWBOARD_RCLONE_PASS_FILE or --rclone-pass-file, or in plowboard\'s config file (rclone[].pass or rclone[].passFile)';

function splitNamed(spec: string): RcloneInstanceConfig {
  // name=URL names an instance; a bare URL gets a name from its host.
  const m = /^([A-Za-z0-9._-]+)=(.+)$/.exec(spec);
  return m ? { name: m[1]!, url: m[2]! } : { url: spec };
}

function readSecretFile(file: string, where: string, key: string | null): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new ConfigError(where, key, `cannot read password file ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}

function str(p: Picked<unknown> | null): string | undefined {
  if (!p) return undefined;
  if (typeof p.value !== 'string' || p.value.trim() === '') throw new ConfigError(p.where, p.key, 'must be a non-empty string');
  return p.value;
}

function num(p: Picked<unknown> | null, range: { min: number; max: number; integer?: boolean }): number | undefined {
  if (!p) return undefined;
  const n = typeof p.value === 'number' ? p.value : typeof p.value === 'string' && p.value.trim() !== '' ? Number(p.value) : NaN;
  const kind = range.integer ? 'a whole number' : 'a number';
  if (!Number.isFinite(n) || (range.integer && !Number.isInteger(n)) || n < range.min || n > range.max) {
    throw new ConfigError(p.where, p.key, `must be ${kind} from ${range.min} to ${range.max}, not ${JSON.stringify(p.value)}`);
  }
  return n;
}

/**
 * loadConfig as the commands run it: also looking for cloudplow running on this host, or
 * installed as a unit; and telling the process's redactor which strings are secrets.
 */
export function loadConfigOnHost(flags: ConfigFlags): ResolvedConfig {
  const config = loadConfig(flags, process.env, process.cwd(), discoverLaunches(discoveryOptions(process.env)));
  redactor.remember([...cloudplowConfigSecrets(config.cloudplowSettings), ...config.rclone.flatMap((r) => (r.pass === null ? [] : [r.pass]))]);
  return config;
}
