import { ConfigError } from './configError.js';
import { parseDuration } from './duration.js';
import { checkGitPath, checkGitRepo } from './gitRepo.js';
import { SETTINGS, flagOf, type Picked } from './settings.js';

/** Snapshots the running sidecar pushes to a git wiki. */
export interface SnapshotGitSettings {
  /** The repository as given (checked: no password in it). */
  repo: string;
  /** The folder in the repository, `/`-separated, `.` for the top. */
  path: string;
  keep: number;
  everyMs: number;
}

/** Short enough for a test to see two runs; anything shorter would push faster than a wiki is read. */
export const MIN_SNAPSHOT_EVERY_MS = 10_000;
const MAX_SNAPSHOT_EVERY_MS = 30 * 86_400_000;

const where = (p: Picked) => [p.where, p.key] as const;

export function readSnapshotGit(
  repo: Picked | null,
  every: Picked | null,
  dir: Picked | null,
  keep: { value: number; picked: Picked | null },
  cwd: string,
): SnapshotGitSettings | null {
  if (!repo) {
    const without = [every, dir, keep.picked].find((p) => p !== null);
    if (without) throw new ConfigError(...where(without), `has no effect without ${flagOf('snapshotGit')} (${SETTINGS.snapshotGit.env}, snapshotGit)`);
    return null;
  }
  let checked: string;
  try {
    checked = checkGitRepo(String(repo.value), cwd);
  } catch (err) {
    throw new ConfigError(...where(repo), (err as Error).message);
  }
  const everyText = every ? String(every.value) : SETTINGS.snapshotEvery.default;
  const everyMs = parseDuration(everyText);
  if (everyMs === null || everyMs < MIN_SNAPSHOT_EVERY_MS || everyMs > MAX_SNAPSHOT_EVERY_MS) {
    throw new ConfigError(...(every ? where(every) : (['default', null] as const)), `must be a duration such as 1h, 30m or 1h30m, from 10s to 30d, not ${JSON.stringify(everyText)}`);
  }
  let gitPath = SETTINGS.snapshotGitPath.default as string;
  if (dir) {
    try {
      gitPath = checkGitPath(String(dir.value));
    } catch (err) {
      throw new ConfigError(...where(dir), (err as Error).message);
    }
  }
  return { repo: checked, path: gitPath, keep: keep.value, everyMs };
}
