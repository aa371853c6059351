import { defineConfig } from 'vitest/config';
import { testProjects } from './test/tools/rcloneProjects.js';

const inCI = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());

/** Projects per kind of test (unit, integration, e2e, faults) and rclone: see test/tools/rcloneProjects.ts. */
export default defineConfig({
  test: {
    reporters: inCI ? ['default', './test/tools/failOnSkip.ts'] : ['default'],
    // Integration tests start real rclone, nginx and Chromium: two cores do not take many at once.
    // One pool serves every project, so this bounds them together.
    maxWorkers: 2,
    minWorkers: 1,
    // Only the root runs it, once, before any project starts; the projects carry none, so two builds never race on dist/.
    globalSetup: ['test/helpers/globalSetup.ts'],
    projects: testProjects(),
  },
});
