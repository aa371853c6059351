import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';
import { testProjects } from './test/tools/rcloneProjects.js';

/** `npm run test:faults`: only the fault suite, on both rclones (it also runs with `npm test`, as CI does). */
export default defineConfig({ ...base, test: { ...base.test, projects: testProjects(['faults']) } });
