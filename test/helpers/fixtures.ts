import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogEvent, Transfer } from '../../sidecar/contract/index.js';

export const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** The rclone versions whose real answers are recorded in test/fixtures/rclone-<version>/. */
export const RECORDED_RCLONES = ['1.60', '1.75'] as const;
export type RecordedRclone = (typeof RECORDED_RCLONES)[number];

export const rcloneFixture = (name: string, version: RecordedRclone = '1.60'): unknown =>
  JSON.parse(readFileSync(path.join(fixturesDir, `rclone-${version}`, name), 'utf8'));
export const rcloneFixtureText = (name: string, version: RecordedRclone = '1.60'): string =>
  readFileSync(path.join(fixturesDir, `rclone-${version}`, name), 'utf8');

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

/** A finished transfer at an ISO time, ok, with every other field empty unless given. */
export const transferRecord = (name: string, completedAt: string, over: Partial<Transfer> = {}): Transfer => ({
  id: name,
  instance: 'default',
  name,
  size: 1,
  bytes: 1,
  checked: false,
  ok: true,
  error: null,
  startedAt: null,
  completedAt,
  durationSeconds: null,
  avgSpeed: null,
  group: null,
  uploader: null,
  serviceAccount: null,
  source: 'rclone',
  ...over,
});
