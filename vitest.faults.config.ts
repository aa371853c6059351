import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/** `npm run test:faults`: only the fault suite (it also runs with `npm test`, as CI does). */
export default defineConfig({ ...base, test: { ...base.test, include: ['test/faults/**/*.test.ts'] } });
