import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { redact } from '../normalize/secrets.js';
import { GitError, git } from './git.js';
import type { LoadedOutput } from './loadOutput.js';
import { commitMessage, prune, writeLatest } from './wikiFolder.js';
import { writeSnapshot } from './writeSnapshot.js';

export interface GitWikiOptions {
  /** The repository, checked already (config/gitRepo.ts): no password in it. */
  repo: string;
  /** The folder in the repository, `/`-separated; `.` for the top. */
  dir: string;
  keep: number;
  /** plowboard's state folder: the clone is kept in `git-wiki/` there between runs. */
  stateDir: string;
  redact: boolean;
}

export interface GitWikiResult {
  /** The snapshot written, or null when it could not be (no clone). */
  stem: string | null;
  /** A new commit was made this run (none when the data had not changed). */
  committed: boolean;
  /** Commits on the local clone that the repository does not have yet (0 after a push). */
  pending: number;
  /** What went wrong, redacted, in one line; null when everything is pushed. */
  error: string | null;
  /** The clone, where pending commits wait. */
  clone: string;
  /** The repository as it may be shown. */
  shown: string;
}

const CLONE_TIMEOUT_MS = 600_000;
/** A rebase or merge left by a run that was killed, or an index lock older than this, is from no live run. */
const STALE_LOCK_MS = 30 * 60_000;

/** `<state>/git-wiki/<name>-<hash>`: one clone per repository, named so a person can tell which. */
export function cloneDirFor(stateDir: string, repo: string): string {
  const base = repo.replace(/[/\\]+$/, '').replace(/\.git$/, '').split(/[/:\\]/).pop() ?? '';
  const name = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(0, 40) || 'repo';
  return path.join(stateDir, 'git-wiki', `${name}-${createHash('sha256').update(repo).digest('hex').slice(0, 8)}`);
}

/**
 * Clones the repository (or brings the clone kept in the state folder up to date), writes a
 * snapshot into `dir` with `latest.md` beside it, keeps the `keep` newest, commits and
 * pushes. A push that fails leaves the commit in the clone; the next run pushes it with its
 * own. Never throws for git's or the network's failures: they come back in `error`.
 */
export async function publishToGitWiki(loaded: LoadedOutput, opts: GitWikiOptions): Promise<GitWikiResult> {
  const clone = cloneDirFor(opts.stateDir, opts.repo);
  const result: GitWikiResult = { stem: null, committed: false, pending: 0, error: null, clone, shown: redact(opts.repo) };
  let id: string[] = [];
  const run = (args: string[], okCodes?: number[]) => git([...id, ...args], { cwd: clone, okCodes });
  try {
    await ensureClone(opts.repo, clone);
    id = await identity(run);
    await tidy(clone, run);
    const branch = await currentBranch(run);
    const notSynced = await sync(run, branch).then(
      () => null,
      (err: unknown) => message(err),
    );

    const target = path.join(clone, ...opts.dir.split('/').filter((p) => p !== '.'));
    const written = await writeSnapshot(loaded, target, { redact: opts.redact, html: false });
    result.stem = written.stem;
    await prune(target, opts.keep);
    const charts = ['throughput', 'history-48h'].filter((c) => written.files.some((f) => f.path === `${written.stem}-charts/${c}.svg`));
    await writeLatest(target, loaded.data, charts);

    await run(['add', '--all', '--', opts.dir]);
    if ((await run(['diff', '--cached', '--quiet'], [1])).code === 1) {
      await run(['commit', '--quiet', '--no-verify', '-m', commitMessage(loaded.data)]);
      result.committed = true;
    }

    result.pending = await pendingCount(run, branch);
    if (result.pending === 0) return result;
    if (notSynced) {
      result.error = notSynced;
      return result;
    }
    try {
      await push(run, branch);
    } catch (err) {
      // Someone pushed in between (another page edited, another plowboard): take theirs and try once more.
      if (!(err instanceof GitError) || !/\((fetch first|non-fast-forward)\)/.test(err.output)) throw err;
      await sync(run, branch);
      await push(run, branch);
    }
    result.pending = await pendingCount(run, branch);
  } catch (err) {
    result.error = message(err);
    if (existsSync(path.join(clone, '.git'))) result.pending = await pendingCount(run, await currentBranch(run)).catch(() => result.pending);
  }
  return result;
}

const message = (err: unknown) => (err instanceof GitError ? err.message : redact((err as Error).message ?? String(err)));

type Run = (args: string[], okCodes?: number[]) => Promise<{ code: number; stdout: string }>;

/** A first clone goes to a temporary name: a clone cut short never looks like a clone. */
async function ensureClone(repo: string, clone: string): Promise<void> {
  if (existsSync(path.join(clone, '.git'))) {
    await git(['remote', 'set-url', 'origin', repo], { cwd: clone });
    return;
  }
  const parent = path.dirname(clone);
  await mkdir(parent, { recursive: true });
  const tmp = `${clone}.cloning-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  try {
    await git(['clone', '--quiet', '--', repo, tmp], { cwd: parent, timeoutMs: CLONE_TIMEOUT_MS });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err instanceof GitError ? new GitError(err.command, err.code, err.output, `could not clone the repository: ${err.message}`) : err;
  }
  await rm(clone, { recursive: true, force: true });
  await rename(tmp, clone);
}

/** What a run that was killed may have left: a rebase or merge in progress, an index lock. */
async function tidy(clone: string, run: Run): Promise<void> {
  const dotGit = path.join(clone, '.git');
  if (existsSync(path.join(dotGit, 'rebase-merge')) || existsSync(path.join(dotGit, 'rebase-apply'))) await run(['rebase', '--abort']).catch(() => undefined);
  if (existsSync(path.join(dotGit, 'MERGE_HEAD'))) await run(['merge', '--abort']).catch(() => undefined);
  const lock = path.join(dotGit, 'index.lock');
  const st = await stat(lock).catch(() => null);
  if (st && Date.now() - st.mtimeMs > STALE_LOCK_MS) await rm(lock, { force: true });
}

async function currentBranch(run: Run): Promise<string> {
  return (await run(['symbolic-ref', '--short', 'HEAD'])).stdout.trim();
}

const hasRef = async (run: Run, ref: string) => (await run(['rev-parse', '--verify', '--quiet', ref], [1])).code === 0;

/**
 * Fetches, then puts the local commits (only ever plowboard's folder) on top of the
 * repository's: a rebase in which, on a conflict, the local snapshot wins; failing that a
 * merge; failing that the local commits stay as they are and the error says why.
 */
async function sync(run: Run, branch: string): Promise<void> {
  await run(['fetch', '--quiet', '--prune', 'origin']).catch((err: unknown) => {
    throw new Error(`could not fetch from the repository: ${message(err)}`);
  });
  const upstream = `refs/remotes/origin/${branch}`;
  if (!(await hasRef(run, upstream))) return;
  if (!(await hasRef(run, 'HEAD'))) {
    // A clone of an empty repository that someone has pushed to since.
    await run(['reset', '--quiet', '--hard', upstream]);
    return;
  }
  try {
    await run(['rebase', '--quiet', '--strategy-option=theirs', upstream]);
    return;
  } catch {
    await run(['rebase', '--abort']).catch(() => undefined);
  }
  try {
    await run(['merge', '--quiet', '--no-edit', '--strategy-option=ours', upstream]);
  } catch (err) {
    await run(['merge', '--abort']).catch(() => undefined);
    throw new Error(`could not combine the local snapshots with the repository's changes: ${message(err)}`);
  }
}

async function push(run: Run, branch: string): Promise<void> {
  await run(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
}

async function pendingCount(run: Run, branch: string): Promise<number> {
  if (!(await hasRef(run, 'HEAD'))) return 0;
  const upstream = `refs/remotes/origin/${branch}`;
  const range = (await hasRef(run, upstream)) ? [`${upstream}..HEAD`] : ['HEAD'];
  return Number((await run(['rev-list', '--count', ...range])).stdout.trim());
}

/** A fixed author when git has none configured (a service account usually has none): a commit or a rebase must never fail for want of a name. */
async function identity(run: Run): Promise<string[]> {
  const name = (await run(['config', 'user.name'], [1])).stdout.trim();
  const email = (await run(['config', 'user.email'], [1])).stdout.trim();
  return [...(name ? [] : ['-c', 'user.name=plowboard']), ...(email ? [] : ['-c', 'user.email=plowboard@localhost'])];
}
