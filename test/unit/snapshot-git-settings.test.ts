import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../sidecar/config/configError.js';
import { parseDuration } from '../../sidecar/config/duration.js';
import { checkGitPath, checkGitRepo } from '../../sidecar/config/gitRepo.js';
import { loadConfig } from '../../sidecar/config/load.js';
import { commitMessage } from '../../sidecar/snapshot/wikiFolder.js';
import type { SnapshotData } from '../../sidecar/snapshot/snapshotData.js';
import { sampleData } from '../helpers/sampleOutput.js';

const cwd = () => mkdtempSync(path.join(tmpdir(), 'plowboard-snapgit-'));
const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.message);
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('snapshot durations', () => {
  it('reads units, combinations and bare seconds', () => {
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration(' 90S ')).toBe(90_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
  });

  it('refuses what is not one', () => {
    for (const bad of ['', 'h', '1 hour', '1w', '-1h', '1h-', 'soon']) expect(parseDuration(bad), bad).toBeNull();
  });
});

describe('the repository and its folder', () => {
  it('keeps URLs and host:path as given and makes a local path absolute', () => {
    expect(checkGitRepo('git@gitea.lan:ops/wiki.wiki.git', '/x')).toBe('git@gitea.lan:ops/wiki.wiki.git');
    expect(checkGitRepo('https://oauth2@gitlab.lan/ops/wiki.wiki.git', '/x')).toBe('https://oauth2@gitlab.lan/ops/wiki.wiki.git');
    expect(checkGitRepo('file:///srv/wiki.git', '/x')).toBe('file:///srv/wiki.git');
    expect(checkGitRepo('../wiki.git', '/srv/plowboard')).toBe('/srv/wiki.git');
  });

  it('refuses a password in a URL without repeating it', () => {
    for (const url of ['https://ops:hunter2secret@gitlab.lan/wiki.git', 'ssh://git:hunter2secret@gitea.lan/wiki.git']) {
      expect(() => checkGitRepo(url, '/x')).toThrow(/^refused: a password in the repository's URL/);
      try {
        checkGitRepo(url, '/x');
      } catch (err) {
        expect((err as Error).message).not.toContain('hunter2secret');
      }
    }
  });

  it('keeps the folder inside the repository and out of .git', () => {
    expect(checkGitPath('plowboard')).toBe('plowboard');
    expect(checkGitPath('./ops//uploads/')).toBe('ops/uploads');
    expect(checkGitPath('.')).toBe('.');
    for (const bad of ['/etc', '../up', 'a/../../b', '.git/hooks', 'x/.GIT']) expect(() => checkGitPath(bad), bad).toThrow(/inside the repository/);
  });
});

describe('--snapshot-git and its settings', () => {
  it('are off by default and take their defaults when only the repository is given', () => {
    const dir = cwd();
    expect(loadConfig({}, {}, dir).snapshotGit).toBeNull();
    expect(loadConfig({ snapshotGit: 'git@gitea.lan:ops/wiki.git' }, {}, dir).snapshotGit).toEqual({
      repo: 'git@gitea.lan:ops/wiki.git',
      path: 'plowboard',
      keep: 48,
      everyMs: 3_600_000,
    });
  });

  it('come from the config file and the environment too', () => {
    const dir = cwd();
    const file = path.join(dir, 'plowboard.json');
    writeFileSync(file, JSON.stringify({ snapshotGit: 'wiki.git', snapshotEvery: '30m', snapshotGitPath: 'ops', snapshotKeep: 5 }));
    expect(loadConfig({ config: file }, { PLOWBOARD_SNAPSHOT_KEEP: '7' }, dir).snapshotGit).toEqual({ repo: path.join(dir, 'wiki.git'), path: 'ops', keep: 7, everyMs: 1_800_000 });
  });

  it('report each mistake in one line: a password, too short an interval, a folder outside, settings without a repository', () => {
    const dir = cwd();
    expect(problems(() => loadConfig({}, { PLOWBOARD_SNAPSHOT_GIT: 'https://u:pw-secret-1@h/w.git' }, dir))).toEqual([
      expect.stringMatching(/^environment PLOWBOARD_SNAPSHOT_GIT: refused: a password/),
    ]);
    expect(problems(() => loadConfig({ snapshotGit: 'w.git', snapshotEvery: '9s' }, {}, dir))).toEqual([
      '--snapshot-every: must be a duration such as 1h, 30m or 1h30m, from 10s to 30d, not "9s"',
    ]);
    expect(problems(() => loadConfig({ snapshotGit: 'w.git', snapshotGitPath: '../x' }, {}, dir))[0]).toMatch(/^--snapshot-git-path: must be a folder inside/);
    expect(problems(() => loadConfig({ snapshotGit: 'w.git', snapshotKeep: '0' }, {}, dir))[0]).toMatch(/^--snapshot-keep: must be a whole number from 1/);
    expect(problems(() => loadConfig({ snapshotEvery: '1h' }, {}, dir))).toEqual([expect.stringMatching(/^--snapshot-every: has no effect without --snapshot-git/)]);
    expect(problems(() => loadConfig({}, { PLOWBOARD_SNAPSHOT_KEEP: '3' }, dir))).toEqual([expect.stringMatching(/^environment PLOWBOARD_SNAPSHOT_KEEP: has no effect without/)]);
    expect(loadConfig({ snapshotGit: 'w.git', snapshotEvery: '10s' }, {}, dir).snapshotGit?.everyMs).toBe(10_000);
  });
});

describe('the commit message', () => {
  it('says the data time to the minute, whether it uploads, and how much today', () => {
    const now = Date.parse('2026-12-07T13:00:10Z');
    const data = sampleData({ now }) as SnapshotData;
    expect(commitMessage(data)).toMatch(/^plowboard snapshot 2026-12-07 13:00 UTC: uploading, [\d.]+ GiB today/);
    data.live!.total.inFlight = 0;
    data.health!.state = 'ok';
    data['history-90d']!.daily = [{ day: '2026-12-07', key: 'total', bytes: 412 * 1024 ** 3 }];
    expect(commitMessage(data)).toBe('plowboard snapshot 2026-12-07 13:00 UTC: idle, 412 GiB today');
  });
});
