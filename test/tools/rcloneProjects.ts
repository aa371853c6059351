import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProjectInlineConfiguration } from 'vitest/config';
import { RCLONE_ENV, RCLONE_SKIP_ENV, readRcloneVersion, type RcloneVersion } from '../helpers/rcloneVersion.js';

/**
 * The vitest projects: one per kind of test (a folder under test/), each with timeouts for
 * what it starts, crossed with the rclone it runs on. Every test runs on Debian bookworm's
 * rclone (1.60.1, `rclone` on PATH), and the tests that drive a real rclone run again on the
 * current one (Debian sid's, fetched by fetch-rclone-sid.sh). A kind with a test driving
 * rclone names its projects after the version each ran, read from the binary now
 * ("integration · rclone 1.60.1", "integration · rclone 1.75.2"), so a failure says which
 * rclone it failed on; a kind with none is named alone ("unit").
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FETCH = 'bash test/tools/fetch-rclone-sid.sh';

/**
 * Timeouts per kind. They are ceilings for a loaded machine, not expectations: a test waits
 * for a condition and ends when it holds, so a generous ceiling slows only a hung test.
 */
export const KINDS = {
  // In-process code; a few start python3 or build the site (11 s for one on a busy machine).
  unit: { testTimeout: 60_000, hookTimeout: 120_000 },
  // Real rclone, cloudplow, nginx and the sidecar as processes.
  integration: { testTimeout: 120_000, hookTimeout: 180_000 },
  // The built site in Chromium, some against a live sidecar and rclone.
  e2e: { testTimeout: 120_000, hookTimeout: 180_000 },
  // Faults injected into running processes, a soak among them.
  faults: { testTimeout: 180_000, hookTimeout: 300_000 },
} as const;
export type Kind = keyof typeof KINDS;

export const baseRclone = (): string => process.env.PLOWBOARD_TEST_RCLONE_BASE || 'rclone';
export const currentRclone = (): string => process.env.PLOWBOARD_TEST_RCLONE_CURRENT || path.join(root, 'test', 'tools', 'rclone-sid', 'usr', 'bin', 'rclone');

const inCI = (): boolean => !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());

/** Test files under `dir` (relative to the repository), sorted. */
function testFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(path.join(root, d), { withFileTypes: true })) {
      const rel = path.posix.join(d, e.name);
      if (e.isDirectory() && e.name !== 'node_modules' && rel !== 'test/tools/rclone-sid') walk(rel);
      else if (e.isFile() && e.name.endsWith('.test.ts')) found.push(rel);
    }
  };
  walk(dir);
  return found.sort();
}

/** Test files under `dir` whose source imports helpers/rclone: a new one is picked up without a list to edit. */
export function rcloneTestFiles(dir: string): string[] {
  return testFiles(dir).filter((f) => /from\s+['"][./]*\/?helpers\/rclone(\.js)?['"]/.test(readFileSync(path.join(root, f), 'utf8')));
}

let versions: { base: RcloneVersion | null; current: RcloneVersion | null } | undefined;
/** Both binaries asked once per config load, not once per kind. */
const rclones = () => (versions ??= { base: readRcloneVersion(baseRclone()), current: readRcloneVersion(currentRclone()) });

/** The projects of one kind: its files on the base rclone, and those driving rclone again on the current one. */
export function kindProjects(kind: Kind): TestProjectInlineConfiguration[] {
  const dir = `test/${kind}`;
  const test = { ...KINDS[kind], include: [`${dir}/**/*.test.ts`] };
  const files = rcloneTestFiles(dir);
  if (!files.length) return [{ test: { ...test, name: kind, env: { [RCLONE_ENV]: baseRclone() } } }];
  const { base, current } = rclones();
  const baseName = `${kind} · rclone ${base?.version ?? 'missing'}`;
  const projects: TestProjectInlineConfiguration[] = [{ test: { ...test, name: baseName, env: { [RCLONE_ENV]: baseRclone() } } }];
  if (current) {
    const name = `${kind} · rclone ${current.version}`;
    projects.push({ test: { ...test, name: name === baseName ? `${name} (current)` : name, include: files, env: { [RCLONE_ENV]: current.bin } } });
    return projects;
  }
  const reason = `rclone 1.75 not fetched: run ${FETCH}`;
  // In CI a missing second rclone fails the run: a skipped half would look like a pass.
  if (inCI()) throw new Error(`${reason} (no ${currentRclone()} that runs)`);
  console.warn(`plowboard tests: ${reason}; its ${files.length} ${kind} test files are reported skipped.`);
  projects.push({ test: { ...test, name: `${kind} · rclone current (not fetched)`, include: files, env: { [RCLONE_SKIP_ENV]: reason }, runner: path.join(root, 'test', 'tools', 'skipRunner.ts') } });
  return projects;
}

/** The projects of the kinds named (all by default). A test file outside every kind's folder fails the config: `npm test` would not run it. */
export function testProjects(kinds: readonly Kind[] = Object.keys(KINDS) as Kind[]): TestProjectInlineConfiguration[] {
  const stray = testFiles('test').filter((f) => !(Object.keys(KINDS) as Kind[]).some((k) => f.startsWith(`test/${k}/`)));
  if (stray.length) throw new Error(`test files outside test/{${Object.keys(KINDS).join(',')}}/ would not run: ${stray.join(', ')}`);
  return kinds.flatMap(kindProjects);
}
