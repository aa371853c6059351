import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Accounts } from '../../sidecar/contract/index.js';
import { dumpJson, makeCloudplowFolder, writeBans, writeLog, type LogEntry } from '../helpers/cloudplow.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { SidecarProcess, readJson } from '../helpers/sidecarProcess.js';

const GiB = 1024 ** 3;
const cleanups: Array<() => Promise<unknown> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** rclone's own stamp, in local time, as cloudplow's `process` logger passes rclone's line on. */
const rcloneStamp = (sec: number) => {
  const d = new Date(sec * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};
/** The line rclone prints when Google throttles the SA; the phrase is the one cloudplow's rclone_sleeps trigger looks for. */
const forbidden = (sec: number, file: string): LogEntry => ['process', 'info', `${rcloneStamp(sec)} ERROR : ${file}: Failed to copy: googleapi: Error 403: User rate limit exceeded., userRateLimitExceeded`, sec];

/** One upload run of upstream cloudplow with an SA, as cloudplow.py and uploader.py log it. */
const runWith = (sa: string, sec: number): LogEntry[] => [
  ['cloudplow', 'info', 'Starting upload', sec],
  ['uploader', 'info', `Using service account: ${sa}`, sec + 0.1],
  ['uploader', 'info', "Uploading '/mnt/local/Media' to remote: google", sec + 0.2],
];

describe('SA refusals from the real log, through the real CLI', () => {
  it('shows 403s and bans per SA in accounts.json, metrics and the CSV, drops the usable count, and keeps the counts across a restart without doubling them', async () => {
    const cp = makeCloudplowFolder({ accounts: 4 });
    cleanups.push(() => rmSync(cp.dir, { recursive: true, force: true }));
    const sa = (n: number) => path.join(cp.saDir, `${n}.json`);
    const t0 = Date.now() / 1000;
    // The fork's quota file: 1.json has 600 GiB left by the arithmetic.
    dumpJson(path.join(cp.dir, 'sa_quota_cache.json'), { google: { [sa(1)]: { bytes: 150 * GiB, reset_time: t0 + 10 * 3600, first_upload: t0 - 14 * 3600 } } });
    writeBans(cp.cacheDb, 'sa_bans', { google: { [sa(1)]: null, [sa(2)]: null, [sa(3)]: null, [sa(4)]: null } });
    // A quiet run first, and a refusal of 4.json three days ago: in 7 d and 30 d, not in 24 h.
    writeLog(cp.log, [...runWith(sa(4), t0 - 3 * 86400), forbidden(t0 - 3 * 86400 + 5, 'Old/a.mkv'), ['cloudplow', 'info', 'Finished upload', t0 - 3 * 86400 + 60], ...runWith(sa(1), t0 - 7200), ['cloudplow', 'info', 'Finished upload', t0 - 7000]]);

    const out = path.join(cp.dir, 'out');
    const stateDir = path.join(cp.dir, 'state');
    const args = ['sidecar', '--cloudplow-config', cp.config, '--rclone-url', `http://127.0.0.1:${await freePort()}`, '--output', out, '--state-dir', stateDir, '--interval', '0.5'];
    let sidecar = new SidecarProcess(args).start();
    cleanups.push(() => sidecar.stop());
    const accounts = () => (existsSync(path.join(out, 'data', 'accounts.json')) ? readJson<Accounts>(path.join(out, 'data', 'accounts.json')) : null);
    const account = (a: Accounts, name: string) => a.uploaders[0]!.accounts.find((x) => x.name === name)!;

    const before = await waitFor('accounts.json with the old refusal', () => {
      const a = accounts();
      return a && account(a, '4.json').refusals.last7d.rateLimits === 1 ? a : null;
    });
    expect(account(before, '4.json')).toMatchObject({ health: 'usable', refusals: { last24h: { rateLimits: 0, bans: 0 }, last30d: { rateLimits: 1, bans: 0 } } });
    expect(before.pool).toMatchObject({ accounts: 4, withQuota: 4, usable: 4, refusedRecently: 0 });

    // Google throttles: three 403s for 1.json (below cloudplow's trigger count: no ban), then
    // 2.json is refused five times and banned, as cloudplow cycles to 3.json.
    const t1 = Date.now() / 1000;
    writeLog(cp.log, [
      ...runWith(sa(1), t1 - 600),
      forbidden(t1 - 590, 'Movies/a.mkv'),
      forbidden(t1 - 580, 'Movies/b.mkv'),
      forbidden(t1 - 570, 'Movies/c --drive-client-secret=HUNTER2.mkv'),
      ['cloudplow', 'info', 'Finished upload', t1 - 500],
      ...runWith(sa(2), t1 - 300),
      ...[1, 2, 3, 4, 5].map((i) => forbidden(t1 - 300 + i, `Shows/${i}.mkv`)),
      ['uploader', 'warning', 'Tracked trigger Failed to copy: googleapi: Error 403: User rate limit exceeded has reached the maximum limit of 5 occurrences within 3600 seconds, aborting upload...', t1 - 290],
      ['cloudplow', 'info', `Upload aborted due to trigger: Failed to copy: googleapi: Error 403: User rate limit exceeded being met, google is cycling to service_account file: ${sa(3)}`, t1 - 289],
      ['uploader', 'info', `Using service account: ${sa(3)}`, t1 - 288],
    ]);
    writeBans(cp.cacheDb, 'sa_bans', { google: { [sa(1)]: null, [sa(2)]: t1 + 25 * 3600, [sa(3)]: null, [sa(4)]: null } });

    const after = await waitFor('the refusals in accounts.json', () => {
      const a = accounts();
      // cache.db's ban is read on its own change, a moment after the log's.
      return a && account(a, '1.json').refusals.last24h.rateLimits === 3 && account(a, '2.json').refusals.last24h.bans === 1 && account(a, '2.json').bannedUntil ? a : null;
    });
    const one = account(after, '1.json');
    expect(one).toMatchObject({ remainingBytes: 600 * GiB, health: 'refused', refusals: { last24h: { rateLimits: 3, bans: 0 }, last7d: { rateLimits: 3, bans: 0 }, lastKind: 'rate_limit' } });
    expect(one.healthNote).toMatch(/^600 GiB left but refused by Google at \d{4}-\d\d-\d\d \d\d:\d\d UTC \(3 rate-limit answers in 24 h\)$/);
    expect(one.refusals.lastLine).toContain('Error 403: User rate limit exceeded');
    expect(one.refusals.lastLine).not.toContain('HUNTER2');
    expect(Date.parse(one.refusals.lastAt!) / 1000).toBeCloseTo(t1 - 570, 0);
    expect(account(after, '2.json')).toMatchObject({ health: 'banned', refusals: { last24h: { rateLimits: 5, bans: 1 }, lastKind: 'ban' } });
    // The 403s of 3.json's predecessor are not 3.json's.
    expect(account(after, '3.json').refusals.last30d).toEqual({ rateLimits: 0, bans: 0 });
    // Four SAs: 2.json banned; of the three with quota, 1.json is refused: two really usable.
    expect(after.pool).toMatchObject({ withQuota: 3, usable: 2, refusedRecently: 1 });
    expectValidOutput(out, ['accounts']);

    // metrics.prom is rendered on its own slower clock: it may show the log's refusals a render before cache.db's ban.
    const metrics = await waitFor('metrics.prom with the refusals and the ban', () => {
      const text = readFileSync(path.join(out, 'metrics.prom'), 'utf8');
      return text.includes('plowboard_sa_refusals{uploader="google",account="1.json",window="24h",kind="rate_limit"} 3') && /^plowboard_sa_pool_with_quota_accounts 3$/m.test(text) ? text : null;
    });
    expect(metrics).toContain('plowboard_sa_refusals{uploader="google",account="2.json",window="24h",kind="ban"} 1');
    expect(metrics).toContain('plowboard_sa_refusals{uploader="google",account="4.json",window="7d",kind="rate_limit"} 1');
    expect(metrics).toContain('plowboard_sa_refusals{uploader="google",account="4.json",window="24h",kind="rate_limit"} 0');
    expect(metrics).toMatch(/^plowboard_sa_pool_unrefused_accounts 2$/m);
    expect(metrics).toMatch(/^plowboard_sa_pool_with_quota_accounts 3$/m);
    // Never refused: no refusal series of its own.
    expect(metrics).not.toContain('account="3.json",window=');

    // Read back by Python's csv module, as a spreadsheet would read it.
    const csvRows = () =>
      JSON.parse(
        execFileSync('python3', ['-c', 'import csv,io,json,sys; print(json.dumps(list(csv.DictReader(io.StringIO(sys.stdin.read(), newline="")))))'], { input: readFileSync(path.join(out, 'data', 'accounts.csv'), 'utf8'), encoding: 'utf8' }),
      ) as Array<Record<string, string>>;
    const csv1 = await waitFor('accounts.csv with the refusals', () => csvRows().find((r) => r.account === '1.json' && r.rate_limits_24h === '3'));
    expect(csv1).toMatchObject({ health: 'refused', rate_limits_7d: '3', rate_limits_30d: '3', bans_24h: '0', last_refused_at: one.refusals.lastAt });
    expect(csv1.last_refusal).toContain('Error 403');
    expect(csv1.health_note).toBe(one.healthNote);

    // A restart re-reads the whole log: the counts stay as they were, not doubled.
    expect(await sidecar.stop()).toBe(0);
    const saved = JSON.parse(readFileSync(path.join(stateDir, 'sa-refusals.json'), 'utf8'));
    expect(saved.version).toBe(1);
    const startedBefore = readJson(path.join(out, 'data', 'index.json')).sidecar.startedAt;
    sidecar = new SidecarProcess(args).start();
    await waitFor('the restarted sidecar to publish', () => {
      const index = existsSync(path.join(out, 'data', 'index.json')) ? readJson(path.join(out, 'data', 'index.json')) : null;
      return index && index.sidecar.startedAt !== startedBefore;
    });
    // One more 403 for 1.json after the restart: counted once, on top of what was kept.
    writeLog(cp.log, [...runWith(sa(1), Date.now() / 1000 - 2), forbidden(Date.now() / 1000 - 1, 'Movies/d.mkv')]);
    const restarted = await waitFor('the new 403 after the restart', () => {
      const a = accounts();
      return a && account(a, '1.json').refusals.last24h.rateLimits >= 4 ? a : null;
    });
    expect(account(restarted, '1.json').refusals.last24h).toEqual({ rateLimits: 4, bans: 0 });
    expect(account(restarted, '2.json').refusals.last24h).toEqual({ rateLimits: 5, bans: 1 });
    expect(account(restarted, '4.json').refusals.last30d).toEqual({ rateLimits: 1, bans: 0 });
    expect(restarted.pool).toMatchObject({ withQuota: 3, usable: 2 });
  }, 240_000);
});
