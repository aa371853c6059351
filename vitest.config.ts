import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start real rclone, nginx and Chromium: two cores do not take many at once.
    maxWorkers: 2,
    minWorkers: 1,
    globalSetup: ['test/helpers/globalSetup.ts'],
  },
});
