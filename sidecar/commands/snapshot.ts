import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../config/configError.js';
import { checkGitPath, checkGitRepo } from '../config/gitRepo.js';
import { loadConfigOnHost, type ConfigFlags } from '../config/load.js';
import { DEFAULTS } from '../config/schema.js';
import { SETTINGS } from '../config/settings.js';
import { Daemon } from '../daemon/daemon.js';
import type { GitWikiOptions } from '../snapshot/gitWiki.js';
import { SnapshotInputError, loadOutput, type LoadedOutput } from '../snapshot/loadOutput.js';

/** Vega and Vega-Lite are loaded only by the command that draws with them. */
const writeSnapshotLazily = async (...args: Parameters<typeof import('../snapshot/writeSnapshot.js').writeSnapshot>) =>
  (await import('../snapshot/writeSnapshot.js')).writeSnapshot(...args);

export interface SnapshotFlags extends ConfigFlags {
  out?: string;
  from?: string;
  redactNames?: boolean;
  git?: string;
  gitPath?: string;
  keep?: string;
}

const say = (line: string) => process.stderr.write(`${line}\n`);
const MAX_KEEP = SETTINGS.snapshotKeep.type.maximum ?? 100_000;

/**
 * `snapshot`: a self-contained copy for a wiki, from an existing output folder (`--from`)
 * or from the sources read once, as `build` reads them, into a folder thrown away after.
 */
export async function snapshotCommand(flags: SnapshotFlags): Promise<number> {
  if (!flags.out && !flags.git) {
    say('plowboard: snapshot: say where it goes: --out DIR, --git REPO, or both');
    return 2;
  }
  // Checked before anything is read: a refused URL costs nothing.
  const toGit = flags.git ? gitOptions(flags) : null;
  let loaded: LoadedOutput;
  let stateDir = path.resolve(flags.stateDir ?? (process.env[SETTINGS.stateDir.env] || DEFAULTS.stateDir));
  if (flags.from) {
    try {
      loaded = await loadOutput(path.resolve(flags.from));
    } catch (err) {
      if (!(err instanceof SnapshotInputError)) throw err;
      say(`plowboard: snapshot: ${err.message}`);
      return 2;
    }
  } else {
    ({ loaded, stateDir } = await readSourcesOnce(flags));
  }
  for (const problem of loaded.problems) say(`plowboard: snapshot: ${problem}`);

  if (flags.out) {
    const out = path.resolve(flags.out);
    const written = await writeSnapshotLazily(loaded, out, { redact: !!flags.redactNames });
    for (const f of written.files) process.stdout.write(`${path.join(out, f.path)}\t${f.bytes}\n`);
    say(`plowboard: snapshot ${written.stem} written to ${out}${flags.redactNames ? ' (file names redacted)' : ''}`);
  }
  return toGit ? toGitWiki(loaded, { ...toGit, stateDir, redact: !!flags.redactNames }) : 0;
}

/** `--git`, `--git-path`, `--keep`: the same checks and defaults as the sidecar's `--snapshot-git…`. */
function gitOptions(flags: SnapshotFlags): Omit<GitWikiOptions, 'stateDir' | 'redact'> {
  const checked = <T>(flag: string, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      throw new ConfigError(flag, null, (err as Error).message);
    }
  };
  const keep = flags.keep === undefined ? DEFAULTS.snapshotKeep : Number(flags.keep);
  if (!Number.isInteger(keep) || keep < 1 || keep > MAX_KEEP) {
    throw new ConfigError('--keep', null, `must be a whole number from 1 to ${MAX_KEEP}, not ${JSON.stringify(flags.keep)}`);
  }
  return {
    repo: checked('--git', () => checkGitRepo(flags.git!, process.cwd())),
    dir: checked('--git-path', () => checkGitPath(flags.gitPath ?? DEFAULTS.snapshotGitPath)),
    keep,
  };
}

/** One line either way; exit 1 when the snapshot did not reach the repository (it waits in the clone). */
async function toGitWiki(loaded: LoadedOutput, opts: GitWikiOptions): Promise<number> {
  const { publishToGitWiki } = await import('../snapshot/gitWiki.js');
  const r = await publishToGitWiki(loaded, opts);
  const where = `${r.shown} (${opts.dir === '.' ? 'top folder' : `${opts.dir}/`})`;
  if (r.error) {
    const kept = r.pending ? `; ${r.pending} commit${r.pending === 1 ? '' : 's'} kept in ${r.clone}, pushed by the next run` : '';
    say(`plowboard: snapshot: git: ${r.error}${kept}`);
    return 1;
  }
  say(`plowboard: snapshot ${r.stem} ${r.committed ? 'pushed to' : 'unchanged, already in'} ${where}${opts.redact ? ' (file names redacted)' : ''}`);
  return 0;
}

async function readSourcesOnce(flags: SnapshotFlags): Promise<{ loaded: LoadedOutput; stateDir: string }> {
  const tmp = await mkdtemp(path.join(tmpdir(), 'plowboard-snapshot-'));
  try {
    const config = loadConfigOnHost(flags);
    const daemon = new Daemon({ ...config, output: tmp }, { continuous: false });
    await daemon.prepare();
    await daemon.stop();
    return { loaded: await loadOutput(tmp), stateDir: config.stateDir };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
