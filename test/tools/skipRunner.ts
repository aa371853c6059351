import type { RunnerTask, RunnerTestFile, RunnerTestSuite } from 'vitest';
import { VitestTestRunner } from 'vitest/runners';
import { getHooks } from 'vitest/suite';
import { RCLONE_SKIP_ENV } from '../helpers/rcloneVersion.js';

/**
 * The runner of a vitest project whose rclone is not on this machine (outside CI only):
 * every test is reported skipped, with the reason beside it, and no hook runs (they would
 * start the missing rclone). Marking the tests here, after collection, keeps the list of
 * files driving rclone found by the config and needs no guard in each test file.
 */
export default class SkipRunner extends VitestTestRunner {
  private get reason(): string {
    return this.config.env?.[RCLONE_SKIP_ENV] ?? process.env[RCLONE_SKIP_ENV] ?? 'rclone under test is missing';
  }

  onBeforeRunFiles(files: RunnerTestFile[]): void {
    for (const file of files) this.skip(file);
  }

  override async onAfterRunSuite(suite: RunnerTestSuite): Promise<void> {
    await super.onAfterRunSuite(suite);
    // Every child was skipped: say so for the suite and the file too, not "passed".
    if (suite.result && suite.result.state !== 'fail') suite.result.state = 'skip';
  }

  private skip(task: RunnerTask): void {
    if (task.type === 'test') {
      task.mode = 'skip';
      // `note` is what `ctx.skip(note)` sets; vitest's reporters print it beside the test (its type omits it).
      task.result = { state: 'skip', note: this.reason } as RunnerTask['result'];
      return;
    }
    const hooks = getHooks(task);
    if (hooks) for (const list of Object.values(hooks)) list.length = 0;
    for (const t of task.tasks) this.skip(t);
  }
}
