import { Type, type Static, type TOptional, type TSchema } from '@sinclair/typebox';
import { SYSTEMD_DIRS } from './systemdUnit.js';

/**
 * Every setting of plowboard, once. commands/options.ts makes the flags from this table,
 * schema.ts the config file's schema, and load.ts reads each setting from it: flag, then
 * variable, then config-file key, then default. Adding a setting means one row here, one
 * line in the README's Configuration table (a test holds them together) and its use.
 *
 * A row's name is the property commander gives its flag (`--transfers-limit` →
 * `transfersLimit`), so the flag is never spelled twice.
 */
export interface Setting {
  /** The flag's argument as commander writes it; absent when there is no flag (a secret, or file only). */
  arg?: string;
  /** The flag may be given more than once; commander collects the values. */
  repeatable?: boolean;
  /** Which commands take the flag: those that read sources, those that serve, every command with an output folder, or those that keep running (`run`, `sidecar`). */
  flagFor?: 'source' | 'server' | 'output' | 'running';
  env?: string;
  /** The variable as the help says it, when there is more to say than its name. */
  envHelp?: string;
  /** The key in plowboard's config file. */
  key?: string;
  /** The value's type and bounds: the config file's schema, and the check of a flag or variable. */
  type: TSchema;
  default?: string | number;
  /** The default as the help says it, when it is not a plain value. */
  defaultHelp?: string;
  help: string;
}

const NonEmpty = Type.String({ minLength: 1 });

export const RcloneInstanceConfig = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' })),
    url: NonEmpty,
    user: Type.Optional(Type.String()),
    pass: Type.Optional(Type.String()),
    passFile: Type.Optional(NonEmpty),
  },
  { additionalProperties: false },
);

export const CloudplowPaths = Type.Object(
  {
    quotaCache: Type.Optional(NonEmpty),
    sessionState: Type.Optional(NonEmpty),
    learnedSizes: Type.Optional(NonEmpty),
    transferStatsJsonl: Type.Optional(NonEmpty),
    log: Type.Optional(NonEmpty),
    cacheDb: Type.Optional(NonEmpty),
    locksDir: Type.Optional(NonEmpty),
  },
  { additionalProperties: false },
);

// The order is the order of the help.
export const SETTINGS = {
  config: {
    arg: '<file>',
    flagFor: 'source',
    env: 'PLOWBOARD_CONFIG',
    type: NonEmpty,
    help: "plowboard's own JSON config file",
  },
  // Resolved in load.ts: after plowboard's own setting come what a running cloudplow was told, CLOUDPLOW_CONFIG and discovery.
  cloudplowConfig: {
    arg: '<file>',
    flagFor: 'source',
    env: 'PLOWBOARD_CLOUDPLOW_CONFIG',
    envHelp: 'PLOWBOARD_CLOUDPLOW_CONFIG, else CLOUDPLOW_CONFIG, else discovered',
    key: 'cloudplowConfig',
    type: NonEmpty,
    help: "cloudplow's config.json",
  },
  // A list of instances, each with its own credentials: resolved by resolveRclone in load.ts.
  rcloneUrl: {
    arg: '<url>',
    repeatable: true,
    flagFor: 'source',
    env: 'PLOWBOARD_RCLONE_URL',
    envHelp: 'PLOWBOARD_RCLONE_URL, comma-separated',
    key: 'rclone',
    type: Type.Array(RcloneInstanceConfig, { minItems: 1 }),
    default: 'http://localhost:7949',
    defaultHelp: "from cloudplow's config, else http://localhost:7949",
    help: 'rclone RC URL, repeatable; name=URL names it; never with a password in it: use PLOWBOARD_RCLONE_PASS or --rclone-pass-file',
  },
  // The file gives each instance its own (rclone[].user); these are for the first instance.
  rcloneUser: {
    arg: '<user>',
    flagFor: 'source',
    env: 'PLOWBOARD_RCLONE_USER',
    type: NonEmpty,
    help: 'RC user for the first instance',
  },
  rclonePassFile: {
    arg: '<file>',
    flagFor: 'source',
    env: 'PLOWBOARD_RCLONE_PASS_FILE',
    envHelp: 'PLOWBOARD_RCLONE_PASS_FILE; or PLOWBOARD_RCLONE_PASS',
    type: NonEmpty,
    help: 'file holding the RC password',
  },
  // No flag: a flag is in the process list for every user of the host to read.
  rclonePass: {
    env: 'PLOWBOARD_RCLONE_PASS',
    type: NonEmpty,
    help: 'RC password for the first instance',
  },
  interval: {
    arg: '<seconds>',
    flagFor: 'source',
    env: 'PLOWBOARD_INTERVAL',
    key: 'interval',
    type: Type.Number({ minimum: 0.2, maximum: 3600 }),
    default: 2,
    help: 'poll interval while rclone answers',
  },
  transfersLimit: {
    arg: '<n>',
    flagFor: 'source',
    env: 'PLOWBOARD_TRANSFERS_LIMIT',
    key: 'transfersLimit',
    type: Type.Integer({ minimum: 100, maximum: 100000 }),
    default: 1000,
    help: 'completed transfers kept',
  },
  logLines: {
    arg: '<n>',
    flagFor: 'source',
    env: 'PLOWBOARD_LOG_LINES',
    key: 'logLines',
    type: Type.Integer({ minimum: 10, maximum: 100000 }),
    default: 500,
    help: "lines of cloudplow's log kept in logs.json",
  },
  // Parsed by parseQuota (saQuota.ts): the unit must be explicit.
  saQuota: {
    arg: '<amount>',
    flagFor: 'source',
    env: 'PLOWBOARD_SA_QUOTA',
    key: 'saQuota',
    type: Type.String({ description: 'daily quota per service account, e.g. "750GiB" (the fork) or "750GB" (Google)' }),
    default: '750GiB',
    help: 'daily quota per service account, e.g. 750GiB or 750GB',
  },
  stateDir: {
    arg: '<dir>',
    flagFor: 'source',
    env: 'PLOWBOARD_STATE_DIR',
    key: 'stateDir',
    type: NonEmpty,
    default: './state',
    help: 'where history and finished transfers are kept between runs',
  },
  output: {
    arg: '<dir>',
    flagFor: 'output',
    env: 'PLOWBOARD_OUTPUT',
    key: 'output',
    type: NonEmpty,
    default: './output',
    help: 'output folder',
  },
  host: {
    arg: '<host>',
    flagFor: 'server',
    env: 'PLOWBOARD_HOST',
    key: 'host',
    type: NonEmpty,
    default: '127.0.0.1',
    help: 'address to listen on',
  },
  port: {
    arg: '<port>',
    flagFor: 'server',
    env: 'PLOWBOARD_PORT',
    key: 'port',
    type: Type.Integer({ minimum: 0, maximum: 65535 }),
    default: 47949,
    help: 'port to listen on',
  },
  // The built-in server's Host names, who may frame the pages, and its login: checked in serveSettings.ts.
  allowedHost: {
    arg: '<name>',
    repeatable: true,
    flagFor: 'server',
    env: 'PLOWBOARD_ALLOWED_HOST',
    key: 'allowedHosts',
    type: Type.Array(NonEmpty),
    help: 'a Host name to answer besides localhost and this address, repeatable or comma-separated; * for any, behind a proxy',
  },
  frameAncestors: {
    arg: '<sources>',
    flagFor: 'server',
    env: 'PLOWBOARD_FRAME_ANCESTORS',
    key: 'frameAncestors',
    type: NonEmpty,
    default: "'self'",
    help: 'CSP frame-ancestors: who may embed the pages',
  },
  authFile: {
    arg: '<file>',
    flagFor: 'server',
    env: 'PLOWBOARD_AUTH_FILE',
    key: 'authFile',
    type: NonEmpty,
    help: 'htpasswd file with bcrypt entries: a login for every page and file',
  },
  // Snapshots pushed to a git wiki by the running sidecar: read together by readSnapshotGit (snapshotGit.ts).
  snapshotGit: {
    arg: '<repo>',
    flagFor: 'running',
    env: 'PLOWBOARD_SNAPSHOT_GIT',
    key: 'snapshotGit',
    type: NonEmpty,
    help: 'push a snapshot to this git repository (a wiki) on a schedule; credentials from git, never in the URL',
  },
  snapshotEvery: {
    arg: '<duration>',
    flagFor: 'running',
    env: 'PLOWBOARD_SNAPSHOT_EVERY',
    key: 'snapshotEvery',
    type: Type.String({ description: 'how often the sidecar pushes a snapshot, e.g. "1h", "30m", "1h30m"; at least 10s' }),
    default: '1h',
    help: 'how often to push a snapshot to --snapshot-git, e.g. 1h, 30m (at least 10s)',
  },
  snapshotGitPath: {
    arg: '<dir>',
    flagFor: 'running',
    env: 'PLOWBOARD_SNAPSHOT_GIT_PATH',
    key: 'snapshotGitPath',
    type: NonEmpty,
    default: 'plowboard',
    help: 'folder in the repository the snapshots and latest.md go into',
  },
  snapshotKeep: {
    arg: '<n>',
    flagFor: 'running',
    env: 'PLOWBOARD_SNAPSHOT_KEEP',
    key: 'snapshotKeep',
    type: Type.Integer({ minimum: 1, maximum: 100000 }),
    default: 48,
    help: 'snapshots kept in the repository; older ones are removed (git history keeps them)',
  },
  // Over the paths found beside cloudplow's config; relative to plowboard's config file.
  cloudplowPaths: {
    key: 'cloudplowPaths',
    type: CloudplowPaths,
    help: "where cloudplow's files are, when they are not where cloudplow puts them",
  },
  // Where to look for a running or installed cloudplow; read by discoveryOptions
  // (cloudplowDiscovery.ts), where an empty value, unlike elsewhere, turns the look-up off.
  procRoot: {
    env: 'PLOWBOARD_PROC_ROOT',
    type: Type.String(),
    default: '/proc',
    help: "the /proc to find a running cloudplow in (a host's, mounted into a container); empty: do not look",
  },
  systemdDirs: {
    env: 'PLOWBOARD_SYSTEMD_DIRS',
    type: Type.String(),
    default: SYSTEMD_DIRS.join(':'),
    help: 'colon-separated folders to find a cloudplow systemd unit in; empty: do not look',
  },
} as const satisfies Record<string, Setting>;

type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;

/** The flags as commander hands them over: strings, or string arrays for repeatable flags. */
export type ConfigFlags = {
  [N in SettingName as Settings[N] extends { arg: string } ? N : never]?: Settings[N] extends { repeatable: true } ? string[] : string;
};

type FileProperties = {
  [N in SettingName as Settings[N] extends { key: infer K extends string } ? K : never]: TOptional<Settings[N]['type']>;
};

/** plowboard's own config file (--config). Unknown keys are an error: they are usually typos. */
export const PlowboardConfigFile = Type.Object(
  Object.fromEntries(
    Object.values(SETTINGS as Record<string, Setting>).flatMap((s) => (s.key ? [[s.key, Type.Optional(s.type)]] : [])),
  ) as FileProperties,
  { additionalProperties: false },
);

export type RcloneInstanceConfig = Static<typeof RcloneInstanceConfig>;
export type PlowboardConfigFile = Static<typeof PlowboardConfigFile>;

export const flagOf = (name: SettingName): string => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The help line: what it is, then the variable and the default. */
export function helpOf(name: SettingName): string {
  const s: Setting = SETTINGS[name];
  const extra = [s.envHelp ?? s.env, s.defaultHelp ?? (s.default === undefined ? undefined : `default ${s.default}`)].filter(Boolean);
  return extra.length ? `${s.help} (${extra.join('; ')})` : s.help;
}

/** A setting as the loader found it: its value and where, for the error line (key null for a flag or variable). */
export interface Picked {
  value: unknown;
  where: string;
  key: string | null;
}
