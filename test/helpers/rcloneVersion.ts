import { spawnSync } from 'node:child_process';

/**
 * Which rclone binary a test drives, and its version. Kept free of vitest imports so the
 * vitest config can load it too (it names each project after the version it runs).
 */
export const RCLONE_ENV = 'PLOWBOARD_TEST_RCLONE';

/** Set by the vitest project whose rclone is missing (outside CI): why its tests are skipped. */
export const RCLONE_SKIP_ENV = 'PLOWBOARD_TEST_RCLONE_SKIP';

export interface RcloneVersion {
  bin: string;
  /** `1.60.1` for `rclone v1.60.1-DEV`: the suffix names Debian's build, not a different rclone. */
  version: string;
  decomposed: [number, number, number];
}

/** Runs `<bin> version`; null when the binary is missing or does not answer like rclone. */
export function readRcloneVersion(bin: string): RcloneVersion | null {
  const r = spawnSync(bin, ['version'], { encoding: 'utf8', timeout: 30_000 });
  const m = r.status === 0 ? /^rclone v(\d+)\.(\d+)\.(\d+)/m.exec(r.stdout) : null;
  if (!m) return null;
  const decomposed: [number, number, number] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return { bin, version: decomposed.join('.'), decomposed };
}

/** The binary the current test process drives: the vitest project sets it, `rclone` on PATH otherwise. */
export function rcloneBin(): string {
  return process.env[RCLONE_ENV] || 'rclone';
}

let underTest: RcloneVersion | undefined;

/** The rclone under test, read once per process. Throws (naming the binary) if it does not run. */
export function rcloneUnderTest(): RcloneVersion {
  if (!underTest) {
    const v = readRcloneVersion(rcloneBin());
    if (!v) throw new Error(`rclone under test does not run: \`${rcloneBin()} version\` failed (${RCLONE_ENV})`);
    underTest = v;
  }
  return underTest;
}
