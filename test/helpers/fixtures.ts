import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export const rcloneFixture = (name: string): unknown => JSON.parse(readFileSync(path.join(fixturesDir, 'rclone-1.60', name), 'utf8'));
export const rcloneFixtureText = (name: string): string => readFileSync(path.join(fixturesDir, 'rclone-1.60', name), 'utf8');
