import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeMarkdown } from '../../sidecar/snapshot/escape.js';
import { cloneDirFor } from '../../sidecar/snapshot/gitWiki.js';
import { freePort } from '../helpers/ports.js';
import { EVIL_NAME, sampleData, writeSampleOutput } from '../helpers/sampleOutput.js';
import { runCli } from '../helpers/sidecarProcess.js';

/**
 * `plowboard snapshot --git`: the real git, against a bare repository in a temp folder,
 * reached by a file:// URL and by a plain path.
 */

const HOUR = 3600_000;
const T0 = Date.parse('2026-12-07T13:00:10Z');
const stem = (n: number) => `plowboard-2026-12-07T${String(13 + n).padStart(2, '0')}00Z`;

let work: string;
let bare: string;
let url: string;
let state: string;
/** No git identity anywhere: plowboard's own must be used. */
let home: string;

const sh = (args: string[], cwd = work) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: '1' } }).trim();
const inBare = (...args: string[]) => sh(['--git-dir', bare, ...args]);
const subjects = () => inBare('log', '--format=%s').split('\n');
const treeAt = (rev = 'HEAD') => inBare('ls-tree', '-r', '--name-only', rev).split('\n');

/** Output folders with the data of hour n after T0. */
async function outputAt(n: number): Promise<string> {
  const dir = path.join(work, `out-${n}`);
  if (!existsSync(dir)) await writeSampleOutput(dir, sampleData({ now: T0 + n * HOUR }), { now: T0 + n * HOUR });
  return dir;
}

async function snapshot(n: number, extra: string[] = [], repo = url) {
  return runCli(['snapshot', '--from', await outputAt(n), '--git', repo, '--state-dir', state, ...extra], { HOME: home, GIT_CONFIG_NOSYSTEM: '1' }, 120_000);
}

/** stderr without the lines about left-out data files (the sample has none): what the user reads. */
const lines = (stderr: string) => stderr.split('\n').filter(Boolean);

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-git-'));
  home = path.join(work, 'home');
  mkdirSync(home);
  bare = path.join(work, 'wiki.git');
  sh(['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  url = `file://${bare}`;
  state = path.join(work, 'state');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('plowboard snapshot --git', () => {
  it('clones, writes the snapshot and latest.md, commits with a clear message and pushes', async () => {
    const r = await snapshot(0);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stderr)).toEqual([`plowboard: snapshot ${stem(0)} pushed to ${url} (plowboard/)`]);
    expect(subjects()).toEqual([expect.stringMatching(/^plowboard snapshot 2026-12-07 13:00 UTC: uploading, [\d.]+ GiB today/)]);
    // No identity configured anywhere: plowboard's own.
    expect(inBare('log', '-1', '--format=%an <%ae>')).toBe('plowboard <plowboard@localhost>');
    const tree = treeAt();
    expect(tree).toContain(`plowboard/${stem(0)}.md`);
    expect(tree).toContain(`plowboard/${stem(0)}-charts/throughput.svg`);
    expect(tree).toContain(`plowboard/${stem(0)}-data/live.json`);
    expect(tree).toContain('plowboard/latest.md');
    // The wiki shows the Markdown; the HTML is not committed.
    expect(tree.filter((f) => f.endsWith('.html'))).toEqual([]);
    const page = inBare('show', `HEAD:plowboard/${stem(0)}.md`);
    expect(page).toContain('## Service accounts');
    expect(page).toContain(escapeMarkdown(`Movies/${EVIL_NAME}`));
    expect(inBare('show', 'HEAD:plowboard/latest.md')).toContain(`(${stem(0)}.md)`);
  });

  it('a second run is a second commit, latest.md points at it, and --redact-names leaves no file name in it', async () => {
    const r = await snapshot(1, ['--redact-names']);
    expect(r.code, r.stderr).toBe(0);
    expect(subjects()).toHaveLength(2);
    expect(subjects()[0]).toMatch(/^plowboard snapshot 2026-12-07 14:00 UTC: /);
    const latest = inBare('show', 'HEAD:plowboard/latest.md');
    expect(latest).toContain(`**[plowboard snapshot 2026-12-07 14:00 UTC](${stem(1)}.md)**`);
    expect(latest).toContain(`- [2026-12-07 13:00 UTC](${stem(0)}.md)`);
    // File names are gone from the page and the data (account names stay, as with --out).
    const page = inBare('show', `HEAD:plowboard/${stem(1)}.md`);
    expect(page).not.toContain(escapeMarkdown(`Movies/${EVIL_NAME}`));
    expect(page).toMatch(/file-\d+\.mkv/);
    for (const f of ['transfers', 'live']) expect(inBare('show', `HEAD:plowboard/${stem(1)}-data/${f}.json`), f).not.toContain('Movies/<img');
    // The previous snapshot, not redacted, is still there as it was.
    expect(inBare('show', `HEAD:plowboard/${stem(0)}.md`)).toContain(escapeMarkdown(`Movies/${EVIL_NAME}`));
  });

  it('the same data again makes no commit', async () => {
    const r = await snapshot(1, ['--redact-names']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('unchanged, already in');
    expect(subjects()).toHaveLength(2);
  });

  it('keeps the N newest, leaves the pages people put beside them, and takes what others pushed meanwhile', async () => {
    // Someone edits the wiki between two snapshots.
    const other = path.join(work, 'other');
    sh(['clone', '--quiet', url, other]);
    writeFileSync(path.join(other, 'plowboard', 'notes.md'), '# Our notes\n');
    sh(['add', '.'], other);
    sh(['-c', 'user.name=someone', '-c', 'user.email=someone@example.lan', 'commit', '--quiet', '-m', 'notes'], other);
    sh(['push', '--quiet', 'origin', 'main'], other);

    const r = await snapshot(2, ['--keep', '2']);
    expect(r.code, r.stderr).toBe(0);
    const tree = treeAt();
    const stems = [...new Set(tree.flatMap((f) => /plowboard-[\dT-]+Z/.exec(f)?.[0] ?? []))].sort();
    expect(stems).toEqual([stem(1), stem(2)]);
    expect(tree).toContain('plowboard/notes.md');
    expect(subjects().slice(0, 2)).toEqual([expect.stringMatching(/^plowboard snapshot 2026-12-07 15:00 UTC/), 'notes']);
    // History keeps the pruned one.
    expect(inBare('show', `HEAD~2:plowboard/${stem(0)}.md`)).toContain('## Service accounts');
  });

  it('a refused push exits 1 with one line, keeps the commit, and the next run pushes it', async () => {
    const hook = path.join(bare, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "the wiki is read-only today" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    const before = inBare('rev-parse', 'HEAD');
    const failed = await snapshot(3, ['--keep', '5']);
    expect(failed.code, failed.stderr).toBe(1);
    expect(lines(failed.stderr)).toHaveLength(1);
    expect(failed.stderr).toMatch(/^plowboard: snapshot: git: git push failed: .*pre-receive hook declined.*; 1 commit kept in .*, pushed by the next run\n$/);
    expect(inBare('rev-parse', 'HEAD')).toBe(before);
    const clone = cloneDirFor(state, url);
    expect(sh(['log', '-1', '--format=%s'], clone)).toMatch(/^plowboard snapshot 2026-12-07 16:00 UTC/);

    rmSync(hook);
    const next = await snapshot(4, ['--keep', '5']);
    expect(next.code, next.stderr).toBe(0);
    expect(subjects().slice(0, 2)).toEqual([expect.stringMatching(/2026-12-07 17:00 UTC/), expect.stringMatching(/2026-12-07 16:00 UTC/)]);
    expect(treeAt()).toContain(`plowboard/${stem(3)}.md`);
  });

  it('a repository that is gone for a while (a plain path): exit 1, then everything pushed when it is back', async () => {
    const first = await snapshot(5, ['--keep', '10'], bare);
    expect(first.code, first.stderr).toBe(0);
    const away = `${bare}-away`;
    renameSync(bare, away);
    try {
      const failed = await snapshot(6, ['--keep', '10'], bare);
      expect(failed.code, failed.stderr).toBe(1);
      expect(lines(failed.stderr)).toHaveLength(1);
      expect(failed.stderr).toMatch(/^plowboard: snapshot: git: could not fetch from the repository: .*; 1 commit kept in /);
    } finally {
      renameSync(away, bare);
    }
    const next = await snapshot(7, ['--keep', '10'], bare);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(`pushed to ${bare} (plowboard/)`);
    const tree = treeAt();
    expect(tree).toContain(`plowboard/${stem(6)}.md`);
    expect(tree).toContain(`plowboard/${stem(7)}.md`);
  });

  it('when the repository moves on between the fetch and the push, takes its commit and pushes once more', async () => {
    // The clone's post-commit hook (run after plowboard commits) makes another clone push first, once.
    const other = path.join(work, 'other');
    sh(['pull', '--quiet', '--rebase', 'origin', 'main'], other);
    const clone = cloneDirFor(state, bare);
    const hook = path.join(clone, '.git', 'hooks', 'post-commit');
    writeFileSync(
      hook,
      `#!/bin/sh\nrm -f "$0"\nunset GIT_DIR GIT_INDEX_FILE GIT_WORK_TREE GIT_PREFIX\ncd ${JSON.stringify(other)} && echo more >> plowboard/notes.md && git add . && git -c user.name=someone -c user.email=someone@example.lan commit --quiet -m "notes again" && git push --quiet origin main\n`,
    );
    chmodSync(hook, 0o755);
    const r = await snapshot(8, ['--keep', '10'], bare);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(hook)).toBe(false);
    expect(subjects().slice(0, 2)).toEqual([expect.stringMatching(/^plowboard snapshot 2026-12-07 21:00 UTC/), 'notes again']);
    expect(inBare('show', 'HEAD:plowboard/notes.md')).toBe('# Our notes\nmore');
  });

  it('a URL with a password is refused with one line that does not repeat it, before anything is read', async () => {
    const r = await runCli(['snapshot', '--from', path.join(work, 'nowhere'), '--git', 'https://wiki:hunter2secret@git.example.lan/ops/wiki.git', '--state-dir', state]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^plowboard: configuration error: --git: refused: a password in the repository's URL/)]);
    expect(r.stderr).not.toContain('hunter2secret');
  });

  it("git's own messages are redacted: a user in a URL that cannot be reached is not shown", async () => {
    const port = await freePort();
    const r = await runCli(['snapshot', '--from', await outputAt(0), '--git', `http://ghp_tokenAsUser1234@127.0.0.1:${port}/wiki.git`, '--state-dir', path.join(work, 'state-2')], { HOME: home });
    expect(r.code, r.stderr).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^plowboard: snapshot: git: could not clone the repository: /)]);
    expect(r.stderr).not.toContain('ghp_tokenAsUser1234');
  });
});
