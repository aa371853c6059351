import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { cloudplowConfigSecrets } from '../normalize/configSecrets.js';
import { jsonSyntaxMessage } from '../normalize/jsonSyntax.js';
import { redactor } from '../normalize/secrets.js';
import { ConfigError, ConfigProblems } from './configError.js';
import { findCloudplowConfig, rcUrlFromCloudplow, type CloudplowConfigRead } from './cloudplow.js';
import { discoverLaunches, discoveryOptions, launchesFor } from './cloudplowDiscovery.js';
import { launchConfig, type CloudplowLaunch } from './cloudplowLaunch.js';
import { parseRcUrl } from './rcloneUrl.js';
import { parseQuota } from './saQuota.js';
import { DEFAULTS, type RcloneInstance, type ResolvedConfig } from './schema.js';
import { readAllowedHosts, readAuthFile, readFrameAncestors } from './serveSettings.js';
import { readSnapshotGit } from './snapshotGit.js';
import {
  PlowboardConfigFile,
  SETTINGS,
  flagOf,
  type ConfigFlags,
  type Picked,
  type RcloneInstanceConfig,
  type Setting,
  type SettingName,
} from './settings.js';

export type { ConfigFlags } from './settings.js';

type Env = Record<string, string | undefined>;
type Defaulted = keyof typeof DEFAULTS;

/**
 * Resolves plowboard's configuration from the settings table (settings.ts): each setting
 * from its flag, else its PLOWBOARD_* variable, else its key in plowboard's JSON file, else
 * its default; plus cloudplow's config for the rclone URL. `launches` are the cloudplow
 * processes and units found on this host (none unless the caller looked). Every problem is
 * gathered before it throws one ConfigError that lists them all.
 */
export function loadConfig(flags: ConfigFlags, env: Env = process.env, cwd = process.cwd(), launches: CloudplowLaunch[] = []): ResolvedConfig {
  const problems = new ConfigProblems();
  const configPath = flags.config ?? nonEmpty(env[SETTINGS.config.env]);
  const configFile = configPath ? path.resolve(cwd, configPath) : null;
  const file: PlowboardConfigFile = configFile ? readConfigFile(configFile, problems) : {};
  const fileWhere = configFile ?? '';

  // Flag, then variable, then file. A blank variable counts as unset, as an env file or a
  // unit often leaves one.
  const pick = (name: SettingName): Picked | null => {
    const s: Setting = SETTINGS[name];
    const flag = (flags as Record<string, string | string[] | undefined>)[name];
    if (flag !== undefined && !(Array.isArray(flag) && flag.length === 0)) return { value: flag, where: flagOf(name), key: null };
    const e = s.env ? nonEmpty(env[s.env]) : undefined;
    if (e !== undefined) return { value: e, where: `environment ${s.env}`, key: null };
    const fromFile = s.key ? (file as Record<string, unknown>)[s.key] : undefined;
    if (fromFile !== undefined) return { value: fromFile, where: fileWhere, key: s.key! };
    return null;
  };
  /** A plain setting: checked against its type in the table, else its default. */
  const value = <N extends Defaulted>(name: N): Static<(typeof SETTINGS)[N]['type']> =>
    (problems.try(() => checked(SETTINGS[name].type, pick(name)), undefined) ?? DEFAULTS[name]) as Static<(typeof SETTINGS)[N]['type']>;

  const output = value('output');
  const stateDir = value('stateDir');
  const host = value('host');
  const port = value('port');
  const intervalSeconds = value('interval');
  const transfersLimit = value('transfersLimit');
  const logLines = value('logLines');
  const quotaPick = pick('saQuota');
  const saQuota = problems.try(
    () => parseQuota(quotaPick ? String(quotaPick.value) : DEFAULTS.saQuota, quotaPick),
    parseQuota(DEFAULTS.saQuota, null),
  );

  // plowboard's own setting, then what a running cloudplow or its unit was told, then
  // cloudplow's variable, then the config.json beside a known cloudplow.py, then the usual places.
  const own = pick('cloudplowConfig');
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
  const notFound: CloudplowConfigRead = { ref: { path: null, found: false, from: 'none' }, settings: null, problem: null };
  const cloudplow = problems.try(() => findCloudplowConfig(cpPick, cwd), notFound);
  const ours = cloudplow.ref.path ? launchesFor(cloudplow.ref.path, launches) : [];

  const rclone = resolveRclone(pick, env, cloudplow.settings, cwd, problems);
  const serve = {
    allowedHosts: problems.try(() => readAllowedHosts(pick('allowedHost')), []),
    frameAncestors: problems.try(() => readFrameAncestors(pick('frameAncestors')), DEFAULTS.frameAncestors),
    authFile: readAuthFile(pick('authFile'), cwd),
  };
  const snapshotGit = problems.try(() => readSnapshotGit(pick('snapshotGit'), pick('snapshotEvery'), pick('snapshotGitPath'), { value: value('snapshotKeep'), picked: pick('snapshotKeep') }, cwd), null);

  problems.throwIfAny();
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
    snapshotGit,
  };
}

/**
 * A value as its type in the table wants it. The file was checked as a whole against the
 * same types; a flag or a variable is text, so a number is read from it first.
 */
function checked(type: Setting['type'], p: Picked | null): unknown {
  if (!p) return undefined;
  if (type.type === 'number' || type.type === 'integer') {
    const n = typeof p.value === 'number' ? p.value : typeof p.value === 'string' && p.value.trim() !== '' ? Number(p.value) : NaN;
    if (!Value.Check(type, n)) {
      const kind = type.type === 'integer' ? 'a whole number' : 'a number';
      throw new ConfigError(p.where, p.key, `must be ${kind} from ${type.minimum} to ${type.maximum}, not ${JSON.stringify(p.value)}`);
    }
    return n;
  }
  // Blank text would pass minLength; it is never a usable path or host.
  if (typeof p.value !== 'string' || p.value.trim() === '') throw new ConfigError(p.where, p.key, 'must be a non-empty string');
  return p.value;
}

function resolvePaths(paths: NonNullable<PlowboardConfigFile['cloudplowPaths']>, base: string): ResolvedConfig['cloudplowPaths'] {
  return Object.fromEntries(Object.entries(paths).map(([k, v]) => [k, path.resolve(base, v)]));
}

/**
 * The file's settings, each checked against its type in the table. Every mistake is kept
 * in `problems` and its key left out, so that the rest of the configuration is still read.
 */
function readConfigFile(file: string, problems: ConfigProblems): PlowboardConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problems.add(new ConfigError(file, null, code === 'ENOENT' ? 'file does not exist' : `cannot read it (${code ?? String(err)})`));
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Position only: Node's message quotes the text around the error, passwords included.
    problems.add(new ConfigError(file, null, jsonSyntaxMessage(text)));
    return {};
  }
  const seen = new Set<string>();
  const wrong: Array<{ top: string; error: ConfigError }> = [];
  for (const e of Value.Errors(PlowboardConfigFile, parsed)) {
    const key = e.path.replace(/^\//, '').replace(/\//g, '.') || '(top level)';
    // One line per key: TypeBox may say more than one thing about the same value.
    if (seen.has(key)) continue;
    seen.add(key);
    const unknownKey = e.schema && (e.schema as { additionalProperties?: boolean }).additionalProperties === false;
    const problem = unknownKey && /Unexpected property/i.test(e.message) ? 'unknown setting' : e.message.toLowerCase();
    wrong.push({ top: e.path.split('/')[1] ?? '', error: new ConfigError(file, key, problem) });
  }
  if (wrong.length === 0) return parsed as PlowboardConfigFile;
  // In the order the file has them, which is the order the user reads it.
  const order = parsed && typeof parsed === 'object' ? Object.keys(parsed) : [];
  wrong.sort((x, y) => order.indexOf(x.top) - order.indexOf(y.top));
  for (const w of wrong) problems.add(w.error);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || wrong.some((w) => w.top === '')) return {};
  const bad = new Set(wrong.map((w) => w.top));
  return Object.fromEntries(Object.entries(parsed).filter(([k]) => !bad.has(k))) as PlowboardConfigFile;
}

/** The rclone instances: a list, from --rclone-url, PLOWBOARD_RCLONE_URL or the file's `rclone`, each with its credentials. */
function resolveRclone(
  pick: (name: SettingName) => Picked | null,
  env: Env,
  cloudplowSettings: Record<string, unknown> | null,
  cwd: string,
  problems: ConfigProblems,
): RcloneInstance[] {
  const urls = pick('rcloneUrl');
  let entries: Array<{ cfg: RcloneInstanceConfig; where: string; key: string | null }>;
  if (urls?.key) {
    entries = (urls.value as RcloneInstanceConfig[]).map((cfg, i) => ({ cfg, where: urls.where, key: `${urls.key}.${i}` }));
  } else if (urls) {
    // Repeated flags, or a comma- or space-separated variable.
    const specs = Array.isArray(urls.value) ? (urls.value as string[]) : String(urls.value).split(/[\s,]+/).filter(Boolean);
    entries = specs.map((spec) => ({ cfg: splitNamed(spec), where: urls.where, key: null }));
  } else {
    entries = [{ cfg: { url: rcUrlFromCloudplow(cloudplowSettings) ?? DEFAULTS.rcloneUrl }, where: 'cloudplow config', key: null }];
  }

  const seen = new Set<string>();
  const instance = ({ cfg, where, key }: (typeof entries)[number], i: number): RcloneInstance => {
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
      const userPick = pick('rcloneUser');
      if (userPick) user = String(userPick.value);
      // Read as it is, not through pick(): a password of spaces is still a password.
      const envPass = env[SETTINGS.rclonePass.env];
      if (envPass !== undefined && envPass !== '') [pass, credentialsFrom] = [envPass, `environment ${SETTINGS.rclonePass.env}`];
      const passFile = pick('rclonePassFile');
      if (passFile) [pass, credentialsFrom] = [readSecretFile(path.resolve(cwd, String(passFile.value)), passFile.where, null), String(passFile.value)];
    }
    if (pass !== null && !user) throw new ConfigError(where, key ? `${key}.user` : null, 'a password is set but no user');
    return { name, url: parsed.url, user: user ?? null, pass, credentialsFrom: pass !== null ? credentialsFrom : null };
  };
  return entries.flatMap((entry, i) => problems.try(() => [instance(entry, i)], []));
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

/**
 * loadConfig as the commands run it: also looking for cloudplow running on this host, or
 * installed as a unit; and telling the process's redactor which strings are secrets.
 */
export function loadConfigOnHost(flags: ConfigFlags): ResolvedConfig {
  const config = loadConfig(flags, process.env, process.cwd(), discoverLaunches(discoveryOptions(process.env)));
  redactor.remember([...cloudplowConfigSecrets(config.cloudplowSettings), ...config.rclone.flatMap((r) => (r.pass === null ? [] : [r.pass]))]);
  return config;
}
