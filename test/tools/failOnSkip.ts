import type { Reporter, TestModule } from 'vitest/node';

/**
 * In CI a skipped test is a failed run: a test that could not run proves nothing, and a
 * green run must mean every test ran. Lists each skipped test with its reason.
 */
export default class FailOnSkip implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const skipped: string[] = [];
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const r = t.result();
        if (r.state === 'skipped') skipped.push(`${t.project.name} › ${m.moduleId.replace(/^.*\/test\//, 'test/')} › ${t.fullName}${r.note ? ` (${r.note})` : ''}`);
      }
    }
    if (!skipped.length) return;
    process.stderr.write(`\nCI fails on skipped tests (${skipped.length}):\n${skipped.map((s) => `  - ${s}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}
