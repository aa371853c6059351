import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Accounts, Distribution, Health, Logs, SessionFile, Transfers } from '../../sidecar/contract/index.js';
import { dumpJson, fingerprint, makeCloudplowFolder, python, writeBans, writeLog } from '../helpers/cloudplow.js';
import { waitFor } from '../helpers/ports.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { filesContaining } from '../helpers/secrets.js';
import { sidecarOnCloudplow } from '../helpers/sidecarProcess.js';

const GiB = 1024 ** 3;
const EVIL = '<img src=x onerror=alert(1)>.mkv';
const now = () => Date.now() / 1000;
const cleanups: Array<() => Promise<unknown> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("the cloudplow fork's state, every case at once", () => {
  it('reads quotas, bans, the session, sizes, transfer rows and the log right, validates, and changes nothing', async () => {
    const cp = makeCloudplowFolder({ accounts: 1000 });
    cleanups.push(() => rmSync(cp.dir, { recursive: true, force: true }));
    const sa = (n: number) => path.join(cp.saDir, `${n}.json`);
    const t0 = now();
    // Keyed by full path, as the fork's quota cache is; the session names the same SAs by base name.
    dumpJson(path.join(cp.dir, 'sa_quota_cache.json'), {
      google: {
        [sa(1)]: { bytes: 600 * GiB, reset_time: t0 + 3600, first_upload: t0 - 20 * 3600 },
        [sa(2)]: { bytes: 700 * GiB, reset_time: t0 - 60, first_upload: t0 - 24 * 3600 - 60 },
        [sa(5)]: { bytes: 760 * GiB, reset_time: t0 + 7200, first_upload: t0 - 3600 },
      },
    });
    // active: true left behind by a session that ended two hours ago.
    dumpJson(path.join(cp.dir, 'dashboard_session_state.json'), {
      active: true,
      uploader: 'google',
      session_start_time: t0 - 2 * 3600 - 10,
      session_end_time: null,
      current_sa: sa(3),
      sa_index: 2,
      total_sas: 1000,
      sas_used: ['1.json', sa(1), '3.json'],
      stage: 2,
      stage_params: { strategy: 'largest_first', max_transfer: '700G', transfers: 8 },
      upload_folder: '/mnt/local/Media',
      transferred_bytes: 999 * GiB,
      transferred_files: 10,
      total_bytes: 900 * GiB,
      total_files: 40,
    });
    // The older, flat layout, with Infinity where Python wrote float('inf').
    python(
      `dump(sys.argv[1], {'google': {'percentiles': {'p50': 1073741824}, 'metadata': {'sample_count': 5000, 'last_updated': ${t0 - 600}}, 'tracker_state': {'count': 5000, 'total_bytes': 9, 'buckets': {'50GB+': {'count': 2, 'total': 7, 'min': 53687091200, 'max': float('inf')}}}}})`,
      [path.join(cp.dir, 'learned_sizes_cache.json')],
    );
    writeBans(cp.cacheDb, 'sa_bans', { google: { [sa(1)]: null, [sa(7)]: t0 + 5 * 3600, [sa(8)]: t0 - 60 } });
    writeBans(cp.cacheDb, 'uploader_bans', {});
    const old = t0 - 2 * 3600;
    writeLog(cp.log, [
      ['cloudplow', 'info', 'Starting upload', old],
      ['cloudplow', 'info', 'There is 1000 available service accounts', old + 1],
      ['uploader', 'info', `Using service account: ${sa(1)}`, old + 2],
      ['uploader', 'info', "Uploading '/mnt/local/Media' to remote: google", old + 3],
      ['process', 'info', `2026/11/22 10:00:00 INFO  : Movies/${EVIL}: Copied (new)`, old + 60],
      ['process', 'info', '2026/11/22 10:30:00 ERROR : x.mkv: Failed to copy: googleapi: Error 403: User rate limit exceeded, userRateLimitExceeded', old + 1800],
      ['cloudplow', 'info', `Upload aborted due to trigger: Failed to copy: googleapi: Error 403: User rate limit exceeded being met, google is cycling to service_account file: ${sa(2)}`, old + 1801],
      ['cloudplow', 'info', 'Finished upload', old + 3600],
    ]);
    const jsonl = path.join(cp.dir, 'transfer-stats.jsonl');
    const row = (name: string, at: number) => JSON.stringify({ timestamp: at, datetime: 'x', uploader: 'google', filename: name, size_bytes: GiB, avg_speed_bytes: 50 * 1024 ** 2, duration_seconds: 20.48 });
    appendFileSync(jsonl, `${row(`Movies/${EVIL}`, old + 60)}\n${row('TV/a.mkv', old + 70)}\n${row('TV/b.mkv', old + 80)}\n${row('TV/c.mkv', old + 90).slice(0, 40)}`);
    const before = fingerprint(cp.dir);

    const { out, data, stop } = await sidecarOnCloudplow(cp.config);
    cleanups.push(stop);
    const accounts = await waitFor('accounts.json with the uploader', () => {
      const a = data<Accounts>('accounts');
      return a.uploaders.length ? a : null;
    });
    const google = accounts.uploaders.find((u) => u.name === 'google')!;
    const acct = (n: number) => google.accounts.find((a) => a.name === `${n}.json`)!;
    // Every SA file once, even those never used, and 1.json once although named two ways.
    expect(google.accounts).toHaveLength(1000);
    expect(google.accounts.slice(0, 3).map((a) => a.name)).toEqual(['1.json', '2.json', '3.json']);
    expect(acct(1)).toMatchObject({ usedBytes: 600 * GiB, remainingBytes: 150 * GiB, path: sa(1) });
    expect(acct(1).status).toBe('exhausted'); // the log saw it hit the 403 limit in this window
    expect(acct(1).sources.status).toBe('a limit hit in the log');
    expect(acct(2)).toMatchObject({ usedBytes: 0, status: 'available', resetAt: null }); // its window has passed
    expect(acct(5)).toMatchObject({ status: 'exhausted', percent: 101.3, remainingBytes: 0 });
    expect(acct(7).status).toBe('banned');
    expect(Date.parse(acct(7).bannedUntil!)).toBeCloseTo((t0 + 5 * 3600) * 1000, -3);
    expect(acct(8).status).toBe('available'); // a ban that has expired
    expect(acct(3).status).toBe('available'); // the stale session's SA is not "active"
    expect(google.pool).toMatchObject({ accounts: 1000, usableNow: 997, banned: 1, exhausted: 2 });
    expect(google.pool.capacityLeftBytes).toBe(997 * 750 * GiB);

    const session = data<SessionFile>('session').session!;
    expect(session).toMatchObject({ uploader: 'google', active: false, flagActive: true, from: 'dashboard_session_state.json' });
    expect(session.account).toEqual({ index: 3, of: 1000, name: '3.json' });
    expect(session.accountsUsed).toEqual(['1.json', '3.json']);
    expect(session.evidence).toContain('rclone is not running');
    expect(session.evidence).toContain('no upload lock file');
    expect(session.evidence).toContain('no log line in the last 3 minutes');
    expect(session.etaSeconds).toBeNull();
    // Progress from finished transfers, never the fork's double-counted transferred_bytes.
    expect(session.bytes.done).toBe(3 * GiB);
    expect(session.files).toEqual({ done: 3, total: 40 });

    const dist = data<Distribution>('distribution').uploaders[0]!;
    expect(dist.queue).toMatchObject({ layout: 'flat', sampleCount: 5000, confidence: 'very_high' });

    const transfers = data<Transfers>('transfers').transfers;
    expect(transfers.map((t) => t.name).sort()).toEqual([`Movies/${EVIL}`, 'TV/a.mkv', 'TV/b.mkv']);
    expect(transfers[0]).toMatchObject({ source: 'cloudplow', uploader: 'google', bytes: GiB });
    // The partial line is read once it is complete.
    appendFileSync(jsonl, `${row('TV/c.mkv', old + 90).slice(40)}\n`);
    await waitFor('the completed row', () => data<Transfers>('transfers').count === 4);

    const logs = data<Logs>('logs');
    expect(logs.lines).toHaveLength(8);
    expect(logs.lines[4]).toMatchObject({ level: 'INFO', logger: 'process', func: '<module>', rcloneLevel: 'INFO', message: `2026/11/22 10:00:00 INFO  : Movies/${EVIL}: Copied (new)` });
    expect(Date.parse(logs.lines[0]!.time!)).toBeCloseTo(old * 1000, -3);
    expect(logs.events.map((e) => e.kind)).toEqual(['upload_started', 'sa_count', 'sa_chosen', 'upload_started', 'file_copied', 'trigger_hit', 'sa_cycled', 'upload_finished']);
    expect(logs.events.find((e) => e.kind === 'sa_cycled')).toMatchObject({ uploader: 'google', account: '2.json' });
    expect(logs.events.find((e) => e.kind === 'file_copied')!.detail).toBe(`Movies/${EVIL}`);

    // New lines are picked up.
    writeLog(cp.log, [['cloudplow', 'info', 'Starting upload']]);
    await waitFor('the new log line', () => data<Logs>('logs').lines.length === 9);

    const health = data<Health>('health');
    const state = (id: string) => health.sources.find((s) => s.id === id)?.state;
    for (const id of ['cloudplow:sa_quota_cache.json', 'cloudplow:dashboard_session_state.json', 'cloudplow:learned_sizes_cache.json', 'cloudplow:cache.db', 'cloudplow:log', 'cloudplow:service-accounts']) {
      expect(state(id), id).toBe('ok');
    }
    expect(state('cloudplow:transfer-stats')).toBe('ok');
    expectValidOutput(out);
    expect(filesContaining(out, 'CANARY')).toEqual([]);
    expect(readFileSync(path.join(out, 'data', 'accounts.csv'), 'utf8').trim().split('\n')).toHaveLength(1001);
    // Nothing in cloudplow's folder changed but what the test itself wrote afterwards.
    const after = fingerprint(cp.dir);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const f of Object.keys(before).filter((f) => !['cloudplow.log', 'transfer-stats.jsonl'].includes(f))) expect(after[f], f).toBe(before[f]);
  });
});
