import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** The one line a machine without rclone gets: the demo needs a real one. */
export const INSTALL_RCLONE =
  'plowboard demo needs rclone: install it (`sudo apt install rclone`, or see https://rclone.org/install/) or set PLOWBOARD_DEMO_RCLONE to its path.';

export interface FoundRclone {
  bin: string;
  version: string;
}

/**
 * The rclone the demo drives: PLOWBOARD_DEMO_RCLONE if set (it must run), else the first
 * `rclone` on PATH that answers `rclone version`. Null when there is none.
 */
export function findRclone(env: Record<string, string | undefined> = process.env): FoundRclone | null {
  const chosen = env.PLOWBOARD_DEMO_RCLONE?.trim();
  const candidates = chosen
    ? [chosen]
    : (env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, 'rclone'));
  for (const bin of candidates) {
    const r = spawnSync(bin, ['version'], { encoding: 'utf8', timeout: 15_000 });
    const m = r.status === 0 ? /^rclone (v\S+)/m.exec(r.stdout) : null;
    if (m) return { bin, version: m[1]! };
  }
  return null;
}
