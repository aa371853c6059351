import { defineConfig } from 'vitest/config';
import { rcloneProjects } from './test/tools/rcloneProjects.js';

/** Options every project repeats: projects do not inherit the root's test options. */
export const projectTest = {
  testTimeout: 60_000,
  hookTimeout: 120_000,
};

const inCI = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());

export default defineConfig({
  test: {
    reporters: inCI ? ['default', './test/tools/failOnSkip.ts'] : ['default'],
    // Integration tests start real rclone, nginx and Chromium: two cores do not take many at once.
    // One pool serves both projects, so this bounds them together.
    maxWorkers: 2,
    minWorkers: 1,
    // Only the root runs it, once, before any project starts; the projects carry none, so two builds never race on dist/.
    globalSetup: ['test/helpers/globalSetup.ts'],
    projects: rcloneProjects('test', projectTest),
  },
});
