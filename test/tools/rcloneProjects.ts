import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProjectInlineConfiguration } from 'vitest/config';
import { RCLONE_ENV, RCLONE_SKIP_ENV, readRcloneVersion } from '../helpers/rcloneVersion.js';

/**
 * The two vitest projects: every test on Debian bookworm's rclone (1.60.1, `rclone` on
 * PATH), and again on the current rclone (Debian sid's, fetched by fetch-rclone-sid.sh) the
 * tests that drive a real rclone. Each project is named after the version it ran, read from
 * the binary now, so a failure says which rclone it failed on.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FETCH = 'bash test/tools/fetch-rclone-sid.sh';

export const baseRclone = (): string => process.env.PLOWBOARD_TEST_RCLONE_BASE || 'rclone';
export const currentRclone = (): string => process.env.PLOWBOARD_TEST_RCLONE_CURRENT || path.join(root, 'test', 'tools', 'rclone-sid', 'usr', 'bin', 'rclone');

const inCI = (): boolean => !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());

/** Test files under `dir` whose source imports helpers/rclone: a new one is picked up without a list to edit. */
export function rcloneTestFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(path.join(root, d), { withFileTypes: true })) {
      const rel = path.posix.join(d, e.name);
      if (e.isDirectory() && e.name !== 'node_modules' && rel !== 'test/tools/rclone-sid') walk(rel);
      else if (e.isFile() && e.name.endsWith('.test.ts') && /from\s+['"][./]*\/?helpers\/rclone(\.js)?['"]/.test(readFileSync(path.join(root, rel), 'utf8'))) found.push(rel);
    }
  };
  walk(dir);
  return found.sort();
}

/** `dir` is a folder of test files relative to the repository (`test`, or `test/faults`); `test` holds the options every project shares. */
export function rcloneProjects(dir: string, test: Record<string, unknown>): TestProjectInlineConfiguration[] {
  const base = readRcloneVersion(baseRclone());
  const current = readRcloneVersion(currentRclone());
  const baseName = `rclone ${base?.version ?? 'missing'}`;
  const projects: TestProjectInlineConfiguration[] = [
    { test: { ...test, name: baseName, include: [`${dir}/**/*.test.ts`], env: { [RCLONE_ENV]: baseRclone() } } },
  ];
  const files = rcloneTestFiles(dir);
  if (!files.length) return projects;
  if (current) {
    const name = `rclone ${current.version}`;
    projects.push({ test: { ...test, name: name === baseName ? `${name} (current)` : name, include: files, env: { [RCLONE_ENV]: current.bin } } });
    return projects;
  }
  const reason = `rclone 1.75 not fetched: run ${FETCH}`;
  // In CI a missing second rclone fails the run: a skipped half would look like a pass.
  if (inCI()) throw new Error(`${reason} (no ${currentRclone()} that runs)`);
  console.warn(`plowboard tests: ${reason}; its ${files.length} test files are reported skipped.`);
  projects.push({ test: { ...test, name: 'rclone current (not fetched)', include: files, env: { [RCLONE_SKIP_ENV]: reason }, runner: path.join(root, 'test', 'tools', 'skipRunner.ts') } });
  return projects;
}
