import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Accounts, Health, Live, Logs, SessionFile, Transfers } from '../../sidecar/contract/index.js';
import { waitFor } from '../helpers/ports.js';
import { rcloneUnderTest } from '../helpers/rclone.js';
import { RealCloudplow, cloudplowVendor, type Flavor, type RealCloudplowOptions } from '../helpers/realCloudplow.js';
import { sidecarOnCloudplow } from '../helpers/sidecarProcess.js';

/**
 * The real cloudplow uploading through the rclone under test, and plowboard's sidecar
 * watching it: what a user reads in the data files is checked against what happened
 * (the upload folder, cloudplow's log, cache.db, the SAs rclone was handed).
 */
const vendor = cloudplowVendor();

const twelve = Array.from({ length: 12 }, (_, i) => [`Show/Season 01/Show.S01E${String(i + 1).padStart(2, '0')}.mkv`, 200_000] as [string, number]);

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function scenario(flavor: Flavor, opts: Partial<RealCloudplowOptions> = {}, env: Record<string, string> = {}) {
  const cp = await new RealCloudplow(vendor.dir!, flavor, { files: twelve, accounts: 2, bwlimit: '500k', ...opts }).prepare();
  cleanups.push(() => cp.cleanup());
  const sidecar = await sidecarOnCloudplow(cp.config, [], { url: cp.rcUrl, user: cp.rcUser, pass: cp.rcPass }, env);
  cleanups.push(sidecar.stop);
  const data = {
    session: () => sidecar.data<SessionFile>('session').session,
    accounts: () => sidecar.data<Accounts>('accounts').uploaders.find((u) => u.name === 'google')!,
    transfers: () => sidecar.data<Transfers>('transfers'),
    logs: () => sidecar.data<Logs>('logs'),
    health: () => sidecar.data<Health>('health'),
    live: () => sidecar.data<Live>('live'),
    source: (kind: string, name?: string) => sidecar.data<Health>('health').sources.find((s) => s.kind === kind && (name === undefined || s.name === name))!,
  };
  return { cp, sidecar, data };
}

/** Waits for every file cloudplow's log names in transfers.json; each listed once, and only files of the upload. */
async function everyLoggedFile(data: Awaited<ReturnType<typeof scenario>>['data'], logged: string[]) {
  const transfers = await waitFor('every logged file in transfers.json', () => {
    const t = data.transfers().transfers;
    return logged.every((n) => t.some((x) => x.name === n)) ? t : null;
  }, 30_000);
  const names = transfers.map((t) => t.name);
  expect(new Set(names).size).toBe(names.length);
  expect(allNames).toEqual(expect.arrayContaining(names));
  return transfers;
}

const epochMs = (v: unknown) => Math.floor((v as number) * 1000);
const isoMs = (v: string | null | undefined) => (v ? new Date(v).getTime() : null);
const sa = (cp: RealCloudplow, name: string) => path.join(cp.saDir, name);
const allNames = twelve.map(([n]) => n).sort();

// Outside CI, without the vendored copies, every test here reports itself skipped with the reason in its name.
describe.skipIf(!!vendor.skip)(vendor.skip ? `real cloudplow (skipped: ${vendor.skip})` : 'real cloudplow', () => {
  it('upstream: a plain upload that ends normally', async () => {
    const { cp, data } = await scenario('upstream');
    cp.start();
    await cp.uploading();
    // Read together, while rclone still runs: on a loaded machine the upload may end between two reads.
    const { during, rclone, sa1 } = await waitFor('the session active by evidence while rclone uploads', () => {
      const s = data.session();
      const r = data.source('rclone');
      const a = data.accounts().accounts.find((x) => x.name === '1.json')!;
      return s?.active && s.evidence.some((e) => /^rclone is busy/.test(e)) && r.state === 'ok' && a.status === 'active' ? { during: s, rclone: r, sa1: a } : null;
    });
    expect(during.uploader).toBe('google');
    expect(during.account.name).toBe('1.json');
    expect(during.account.of).toBe(2);
    expect(during.endedAt).toBeNull();
    expect(sa1.status).toBe('active');
    expect(rclone.version).toContain(rcloneUnderTest().version);

    expect(await cp.finished()).toBe(0);
    expect(cp.localFiles()).toEqual([]);
    // cloudplow stops reading rclone's output once rclone has exited (utils/process.py), so its
    // log can miss rclone's last line or two: what it logged is what plowboard can know of then.
    const logged = cp.copiedInLog().sort();
    expect(allNames).toEqual(expect.arrayContaining(logged));
    expect(logged.length).toBeGreaterThanOrEqual(10);
    expect(cp.calls().filter((c) => c.args[0] === 'move').map((c) => c.serviceAccount)).toEqual([sa(cp, '1.json')]);
    const cache = cp.cacheTables();
    expect(cache.sa_bans!.google).toEqual({ [sa(cp, '1.json')]: null, [sa(cp, '2.json')]: null });
    expect(cache.uploader_bans).toEqual({});

    // The lock's removal can reach the sidecar a poll after the log's last line: wait for both.
    const after = await waitFor('the session over and the lock seen gone', () => {
      const s = data.session();
      return s && !s.active && s.endedAt && s.evidence.includes('no upload lock file') ? s : null;
    });
    expect(after.account.name).toBe('1.json');
    const accounts = data.accounts();
    expect(accounts.bannedUntil).toBeNull();
    expect(accounts.accounts.map((a) => [a.name, a.status, a.bannedUntil])).toEqual([
      ['1.json', 'available', null],
      ['2.json', 'available', null],
    ]);
    await waitFor('rclone read as gone once cloudplow is done', () => data.source('rclone').state !== 'ok');
    expect(data.live().total.inFlight).toBe(0);

    // The run's last lines come after its copies: waited for together, not read once after them.
    const logs = await waitFor('every copied file and the end of the run among the log events', () => {
      const l = data.logs();
      const ended = l.events.some((e) => e.kind === 'upload_finished') && l.events.some((e) => e.kind === 'uploader_done');
      return ended && l.events.filter((e) => e.kind === 'file_copied').length === logged.length ? l : null;
    });
    expect(logs.events.filter((e) => e.kind === 'file_copied').map((e) => e.detail).sort()).toEqual(logged);
    expect(logs.events.find((e) => e.kind === 'sa_chosen')!.account).toBe('1.json');
    expect(logs.events.find((e) => e.kind === 'sa_count')!.detail).toBe('2');
    // One end of the run: "Upload completed successfully for uploader" is the uploader's, not a second end.
    expect(logs.events.filter((e) => e.kind === 'upload_finished')).toHaveLength(1);
    expect(logs.events.find((e) => e.kind === 'uploader_done')).toMatchObject({ uploader: 'google', detail: 'completed' });

    // Every file moved, once, with its size: the ones rclone finished just before it exited come
    // from its Copied lines. Each file the log names is there; so is any rclone itself reported.
    const transfers = await everyLoggedFile(data, logged);
    const names = transfers.map((t) => t.name);
    for (const t of transfers) expect([t.ok, t.size, t.uploader, t.serviceAccount]).toEqual([true, 200_000, 'google', '1.json']);
    expect(data.session()!.files.done).toBe(names.length);
  });

  it('upstream: a rate-limit trigger on the first SA, and the upload goes on with the second', async () => {
    const { cp, data } = await scenario('upstream', { triggerOn: ['1.json'], triggerAfter: 2 });
    cp.start();
    expect(await cp.finished()).toBe(0);
    expect(cp.localFiles()).toEqual([]);
    // As above: cloudplow's log may miss rclone's very last line.
    const logged = cp.copiedInLog().sort();
    expect(logged.length).toBeGreaterThanOrEqual(10);
    expect(cp.calls().filter((c) => c.args[0] === 'move').map((c) => c.serviceAccount)).toEqual([sa(cp, '1.json'), sa(cp, '2.json')]);
    const bans = cp.cacheTables().sa_bans!.google as Record<string, number | null>;
    expect(bans[sa(cp, '2.json')]).toBeNull();
    const bannedUntil = epochMs(bans[sa(cp, '1.json')]);
    // cloudplow bans an SA for 25 h when it kills rclone on a trigger, whatever the trigger's own sleep.
    expect(bannedUntil).toBeGreaterThan(Date.now() + 24.9 * 3600_000);

    const session = await waitFor('the session over', () => {
      const s = data.session();
      return s && !s.active && s.endedAt ? s : null;
    });
    // accounts.json is written just after session.json in a publish: read a moment before
    // that publish ends, it may still show 2.json in the session that just ended.
    const accounts = await waitFor('1.json banned as cache.db says, and 2.json out of the ended session', () => {
      const u = data.accounts();
      return u.accounts.find((a) => a.name === '1.json')?.status === 'banned' && u.accounts.find((a) => a.name === '2.json')?.status !== 'active' ? u : null;
    });
    const one = accounts.accounts.find((a) => a.name === '1.json')!;
    expect(isoMs(one.bannedUntil)).toBe(bannedUntil);
    expect(one.sources.status).toMatch(/cache\.db/);
    expect(accounts.accounts.find((a) => a.name === '2.json')!.status).toBe('available');
    expect(accounts.bannedUntil).toBeNull();
    expect(session.account).toEqual({ index: 2, of: 2, name: '2.json' });
    expect(session.accountsUsed).toEqual(['1.json', '2.json']);
    const events = data.logs().events;
    const cycled = events.find((e) => e.kind === 'sa_cycled')!;
    expect(cycled.uploader).toBe('google');
    expect(cycled.account).toBe('2.json');
    expect(events.filter((e) => e.kind === 'sa_chosen').map((e) => e.account)).toEqual(['1.json', '2.json']);
    expect(events.some((e) => e.kind === 'trigger_limit')).toBe(true);
    // What Google refused, from cloudplow's own lines: rclone's two 403s and the ban, all 1.json's.
    expect(one.refusals.last24h).toEqual({ rateLimits: 2, bans: 1 });
    expect(one.refusals.lastKind).toBe('ban');
    expect(one.refusals.lastLine).toMatch(/^Upload aborted due to trigger: .+ being met, google is cycling to service_account file: /);
    expect(one.health).toBe('banned');
    expect(accounts.accounts.find((a) => a.name === '2.json')!.refusals.last30d).toEqual({ rateLimits: 0, bans: 0 });
    const transfers = await everyLoggedFile(data, logged);
    const names = transfers.map((t) => t.name);
    // Each file under the SA that uploaded it, from the log's timeline: some before the change, the rest after.
    expect(new Set(transfers.map((t) => t.uploader))).toEqual(new Set(['google']));
    const bySa = (n: string) => transfers.filter((t) => t.serviceAccount === n).length;
    expect(bySa('1.json')).toBeGreaterThan(0);
    expect(bySa('2.json')).toBeGreaterThan(0);
    expect(bySa('1.json') + bySa('2.json')).toBe(names.length);
    // Upstream keeps no quota file: each SA's use is what plowboard saw it upload, split at the change, never counted twice.
    const used = await waitFor('both SAs’ observed use', () => {
      const u = data.accounts().accounts;
      const of = (n: string) => u.find((a) => a.name === n)!;
      return of('1.json').usedBytes > 0 && of('2.json').usedBytes > 0 ? [of('1.json'), of('2.json')] : null;
    }, 30_000);
    expect(used.every((a) => /^observed by plowboard since /.test(a.sources.used))).toBe(true);
    // The trigger kills rclone part way through up to 4 files (its --transfers); their bytes went
    // out under 1.json and go out again under 2.json, as Google counts them. Counted twice would be more.
    expect(used[0]!.usedBytes + used[1]!.usedBytes).toBeLessThanOrEqual((12 + 4) * 200_000);
    expect(session.files.done).toBeLessThanOrEqual(session.files.total ?? Infinity);
  });

  it('upstream: a trigger on every SA bans them all and suspends the uploader in cache.db', async () => {
    const { cp, data } = await scenario('upstream', { triggerOn: ['1.json', '2.json'], triggerAfter: 1.5 });
    cp.start();
    expect(await cp.finished()).toBe(0);
    const copied = cp.copiedInLog();
    // Both rclones were killed part way: every file no `Copied` line names is still local (a copied one may be too, killed before its delete).
    expect(cp.localFiles()).toEqual(expect.arrayContaining(allNames.filter((n) => !copied.includes(n))));
    expect(copied.length).toBeLessThan(12);
    const cache = cp.cacheTables();
    const bans = cache.sa_bans!.google as Record<string, number>;
    const uploaderBan = epochMs(cache.uploader_bans!.google);
    expect(uploaderBan).toBe(Math.min(epochMs(bans[sa(cp, '1.json')]), epochMs(bans[sa(cp, '2.json')])));
    expect(cp.logText()).toMatch(/google will continue automatic uploading normally in 25 hours/);

    const accounts = await waitFor('the uploader suspended as cache.db says', () => {
      const u = data.accounts();
      return u.bannedUntil && u.accounts.every((a) => a.status === 'banned') ? u : null;
    });
    expect(isoMs(accounts.bannedUntil)).toBe(uploaderBan);
    for (const a of accounts.accounts) expect(isoMs(a.bannedUntil)).toBe(epochMs(bans[a.path!]));
    expect(accounts.pool.usableNow).toBe(0);
    expect(accounts.pool.banned).toBe(2);

    const session = await waitFor('the session over', () => {
      const s = data.session();
      return s && !s.active && s.endedAt ? s : null;
    });
    expect(session.uploader).toBe('google');
    for (const t of data.transfers().transfers) expect(copied).toContain(t.name);
    expect(data.logs().events.filter((e) => e.kind === 'trigger_limit').length).toBeGreaterThanOrEqual(2);
    // cloudplow's own words for the suspension, with when it ends.
    const suspended = await waitFor('the suspension among the log events', () => data.logs().events.find((e) => e.kind === 'uploader_suspended'));
    expect(suspended.uploader).toBe('google');
    expect(Math.abs(isoMs(suspended.until)! - uploaderBan)).toBeLessThan(5 * 60_000);
  });

  it('upstream: cloudplow and its rclone killed mid-upload', async () => {
    // Slower, so the kill lands mid-upload even on a loaded machine. The sidecar may look at
    // /proc, as it does by default: it finds this cloudplow's process, or its absence.
    const { cp, data } = await scenario('upstream', { bwlimit: '300k' }, { PLOWBOARD_PROC_ROOT: '/proc' });
    cp.start();
    await cp.uploading();
    await waitFor('a few files copied', () => cp.copiedInLog().length >= 3, 30_000);
    await waitFor('the sidecar reading rclone', () => data.source('rclone').state === 'ok');
    // While cloudplow runs, its lock counts.
    await waitFor('the lock seen with its cloudplow running', () => data.session()?.evidence.includes('the upload lock file is present'), 20_000);
    await cp.kill();
    const copied = cp.copiedInLog();
    const left = cp.localFiles();
    // The kill landed mid-upload: files are left, and every file the log calls copied is one of
    // the upload's. The log may trail rclone by a file (cloudplow died with rclone's last lines
    // unread in its pipe), so the folder is not compared with the log's count.
    expect(copied.length).toBeLessThan(12);
    expect(left.length).toBeGreaterThan(0);
    expect(allNames).toEqual(expect.arrayContaining(copied));
    // lockfile's link is left behind: the stale lock issue #15 of cloudplow is about.
    expect(cp.lockHeld()).toBe(true);

    await waitFor('rclone read as gone', () => data.source('rclone').state !== 'ok', 20_000);
    const live = data.live();
    expect(live.total.inFlight).toBe(0);
    expect(data.health().state).not.toBe('ok');
    // The lock file stays, but its cloudplow is gone: not active, with no 3-minute wait on the log.
    const session = await waitFor('the session no longer active', () => {
      const s = data.session();
      return s && !s.active ? s : null;
    }, 30_000);
    expect(session.evidence).toContain('rclone is not running');
    expect(session.evidence).toContain('the upload lock file is left over: no cloudplow process runs');
    // Every file the log names is listed, once, and nothing outside the upload is.
    await everyLoggedFile(data, copied);
  });

  it('the fork (main): every file uploads, and cloudplow keeps running rclone on the empty folder', async () => {
    const { cp, data } = await scenario('fork', {}, { PLOWBOARD_PROC_ROOT: '/proc' });
    cp.start();
    // Not every file's Copied line: cloudplow stops reading rclone's output once rclone exits (as above).
    await waitFor('the upload folder emptied', () => cp.localFiles().length === 0, 45_000);
    expect(cp.copiedInLog().length).toBeGreaterThanOrEqual(10);
    expect(allNames).toEqual(expect.arrayContaining(cp.copiedInLog()));
    // The fork's stage loop goes on while the SA has quota left: it does not finish by itself.
    expect(cp.proc!.exitCode).toBeNull();
    expect(cp.calls().every((c) => c.args[0] !== 'move' || c.serviceAccount === sa(cp, '1.json'))).toBe(true);

    const session = await waitFor('the session from the fork’s file', () => {
      const s = data.session();
      return s?.from === 'dashboard_session_state.json' && s.files.done === 12 ? s : null;
    }, 20_000);
    expect(session.account).toEqual({ index: 1, of: 2, name: '1.json' });
    expect(session.accountsUsed).toEqual(['1.json']);
    expect(session.uploader).toBe('google');
    // The fork's own counters are shown beside plowboard's, as the fork's; a count past the 12 that moved is called out.
    const { forkSays, file } = await waitFor('the fork’s own figures in session.json', () => {
      const f = cp.sessionFile();
      const s = data.session()?.forkSays;
      return f && s && s.files === f.transferred_files && s.bytes === f.transferred_bytes ? { forkSays: s, file: f } : null;
    }, 20_000);
    expect(forkSays.differences.some((d) => d.startsWith(`it counts ${file.transferred_files} files done where 12 finished`))).toBe((file.transferred_files as number) > 12);
    expect(data.accounts().accounts.find((a) => a.name === '1.json')!.status).toBe('active');
    const transfers = await waitFor('the twelve files among the transfers', () => {
      const t = data.transfers();
      return new Set(t.transfers.map((x) => x.name)).size === 12 ? t : null;
    }, 20_000);
    expect([...new Set(transfers.transfers.map((t) => t.name))].sort()).toEqual(allNames);
    // The fork remembers what it uploaded in cache.db, in a table of its own, once a stage ends.
    const cached = await waitFor('the fork’s transferred_files table', () => (cp.cacheTables().transferred_files?.google as { files: string[] } | undefined)?.files, 20_000);
    expect([...cached].sort()).toEqual(allNames);
    await cp.kill();

    // Stopped, the fork leaves active: true behind. plowboard says not active, and shows the
    // fork's flag, and what its dashboard would make of it, as the fork's.
    const after = await waitFor('the session not active once the fork is stopped', () => {
      const s = data.session();
      return s && !s.active ? s : null;
    }, 30_000);
    expect(cp.sessionFile()!.active).toBe(true);
    expect(after.flagActive).toBe(true);
    expect(after.files.done).toBe(12);
    expect(after.forkSays!.differences).toContain('it still says active, so its dashboard counts the time, and the average speed, up to now');
  });

  it('the fork (main): a trigger kills rclone and the same SA starts again, unbanned', async () => {
    const { cp, data } = await scenario('fork', { triggerOn: ['1.json'], triggerAfter: 1.5 });
    cp.start();
    await waitFor('two rclone runs, both on the first SA', () => cp.calls().filter((c) => c.args[0] === 'move').length >= 2, 30_000);
    await waitFor('the trigger acted on in the log', () => /Trigger reached configuration limit/.test(cp.logText()), 20_000);
    const moves = cp.calls().filter((c) => c.args[0] === 'move').map((c) => c.serviceAccount);
    expect(new Set(moves)).toEqual(new Set([sa(cp, '1.json')]));
    expect(cp.cacheTables().sa_bans!.google).toEqual({ [sa(cp, '1.json')]: null, [sa(cp, '2.json')]: null });

    const accounts = await waitFor('the limit hit seen on 1.json', () => {
      const u = data.accounts();
      return u.accounts.find((a) => a.name === '1.json')?.limitHitAt ? u : null;
    }, 20_000);
    // cache.db bans nothing, so neither does plowboard: the SA in use stays the active one.
    expect(accounts.accounts.map((a) => [a.name, a.status, a.bannedUntil])).toEqual([
      ['1.json', 'active', null],
      ['2.json', 'available', null],
    ]);
    expect(accounts.bannedUntil).toBeNull();
    const events = data.logs().events;
    expect(events.some((e) => e.kind === 'trigger_limit')).toBe(true);
    expect(events.some((e) => e.kind === 'sa_cycled')).toBe(false);
    expect(data.session()!.account.name).toBe('1.json');
    await cp.kill();
  });

  it('the fork at ea17994: a trigger on the first SA moves to the second', async () => {
    const { cp, data } = await scenario('fork-ea17994', { triggerOn: ['1.json'], triggerAfter: 2 });
    cp.start();
    // Not every file's Copied line: cloudplow stops reading rclone's output once rclone exits (as above).
    await waitFor('the upload folder emptied', () => cp.localFiles().length === 0, 45_000);
    expect(cp.copiedInLog().length).toBeGreaterThanOrEqual(10);
    const moves = cp.calls().filter((c) => c.args[0] === 'move').map((c) => c.serviceAccount);
    expect(moves[0]).toBe(sa(cp, '1.json'));
    expect(moves.slice(1).every((m) => m === sa(cp, '2.json'))).toBe(true);
    const bans = cp.cacheTables().sa_bans!.google as Record<string, number | null>;
    const bannedUntil = epochMs(bans[sa(cp, '1.json')]);

    const accounts = await waitFor('1.json banned as cache.db says', () => {
      const u = data.accounts();
      return u.accounts.find((a) => a.name === '1.json')?.status === 'banned' ? u : null;
    });
    expect(isoMs(accounts.accounts.find((a) => a.name === '1.json')!.bannedUntil)).toBe(bannedUntil);
    expect(accounts.accounts.find((a) => a.name === '2.json')!.status).toBe('active');
    const session = await waitFor('the session on the second SA', () => {
      const s = data.session();
      return s?.account.name === '2.json' ? s : null;
    });
    expect(session.account).toEqual({ index: 2, of: 2, name: '2.json' });
    expect(session.accountsUsed).toEqual(['1.json', '2.json']);
    const cycled = data.logs().events.find((e) => e.kind === 'sa_cycled')!;
    expect(cycled.account).toBe('2.json');
    await cp.kill();
  });
});
