import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { eventOf, parseLogLine } from '../../sidecar/normalize/cloudplowLog.js';
import { LogWriter, rcloneStamp } from '../../sidecar/demo/logWriter.js';
import { writeInstallation } from '../../sidecar/demo/installation.js';
import { parseLenientJson } from '../../sidecar/sources/lenientJson.js';

/** What `plowboard demo` writes must read as cloudplow's own files do: the same parser, the same events. */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const scratch = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'plowboard-demo-unit-'));
  dirs.push(d);
  return d;
};

describe("the demo's cloudplow files", () => {
  it('writes log lines in cloudplow’s format that plowboard recognizes as the events they stand for', () => {
    const file = path.join(scratch(), 'cloudplow.log');
    const log = new LogWriter(file);
    log.cloudplow('Starting upload');
    log.uploader('set_service_account', 'Using service account: /x/service_accounts/demo-sa-03.json');
    log.rclone(`${rcloneStamp(new Date())} INFO  : TV/a b/c.mkv: Copied (new)`);
    log.rclone(`${rcloneStamp(new Date())} ERROR : TV/c.mkv: Failed to copy: googleapi: Error 403: User rate limit exceeded., userRateLimitExceeded`);
    log.line('uploader', '__logic', 'Tracked first occurrence of trigger: x. Expiring in 3600 seconds at 2026-01-01 00:00:00', 'WARNING');
    log.cloudplow('Upload aborted due to trigger: Trigger reached limit being met, google is cycling to service_account file: /x/service_accounts/demo-sa-04.json');
    log.cloudplow('Finished upload');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map(parseLogLine);
    for (const l of lines) expect(l.time, l.message).not.toBeNull();
    expect(lines[4]!.level).toBe('WARNING');
    expect(lines.map((l) => eventOf(l)?.kind ?? null)).toEqual(['upload_started', 'sa_chosen', 'file_copied', 'trigger_hit', 'trigger_tracked', 'sa_cycled', 'upload_finished']);
    expect(eventOf(lines[2]!)!.detail).toBe('TV/a b/c.mkv');
  });

  it('writes an installation with one SA used up, one banned in a sqlitedict cache.db, and nothing secret', () => {
    const { inst } = writeInstallation(scratch(), '127.0.0.1:5572');
    const config = JSON.parse(readFileSync(inst.config, 'utf8'));
    expect(config.uploader.google.service_account_path).toBe(inst.saDir);
    expect(inst.accounts).toHaveLength(20);
    const quota = parseLenientJson(readFileSync(inst.quotaCache, 'utf8')) as Record<string, Record<string, { bytes: number }>>;
    expect(quota.google![inst.accounts[0]!]!.bytes).toBeGreaterThan(749 * 1024 ** 3);
    const db = new Database(inst.cacheDb, { readonly: true });
    const row = db.prepare('SELECT value FROM sa_bans WHERE key = ?').get('google') as { value: string };
    db.close();
    const bans = JSON.parse(row.value) as Record<string, number | null>;
    expect(Object.keys(bans)).toEqual(inst.accounts);
    expect(Object.values(bans).filter((v) => v !== null)).toHaveLength(1);
    expect(bans[inst.accounts[1]!]! * 1000).toBeGreaterThan(Date.now());
    expect(readFileSync(inst.config, 'utf8')).not.toMatch(/pass|private_key/i);
  });
});
