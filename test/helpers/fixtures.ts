import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogEvent } from '../../sidecar/contract/index.js';

export const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export const rcloneFixture = (name: string): unknown => JSON.parse(readFileSync(path.join(fixturesDir, 'rclone-1.60', name), 'utf8'));
export const rcloneFixtureText = (name: string): string => readFileSync(path.join(fixturesDir, 'rclone-1.60', name), 'utf8');

/** A recognized log event at an ISO time, every other field empty unless given. */
export const logEvent = (kind: string, time: string, over: Partial<LogEvent> = {}): LogEvent => ({
  kind,
  time,
  uploader: null,
  account: null,
  detail: null,
  until: null,
  message: kind,
  ...over,
});
