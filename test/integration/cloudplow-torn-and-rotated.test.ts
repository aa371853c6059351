import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Accounts, Health, Logs, SessionFile } from '../../sidecar/contract/index.js';
import { dumpJson, makeCloudplowFolder, pythonProcess, stopProcess, writeBans, writeLog } from '../helpers/cloudplow.js';
import { waitFor } from '../helpers/ports.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { sidecarOnCloudplow } from '../helpers/sidecarProcess.js';

const GiB = 1024 ** 3;
const cleanups: Array<() => Promise<unknown> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('files rewritten in place while plowboard reads them', () => {
  it('never lets a torn quota cache or session file reach output/', async () => {
    const cp = makeCloudplowFolder({ accounts: 200 });
    cleanups.push(() => rmSync(cp.dir, { recursive: true, force: true }));
    const quota = path.join(cp.dir, 'sa_quota_cache.json');
    const sessionFile = path.join(cp.dir, 'dashboard_session_state.json');
    dumpJson(quota, {});
    const sidecar = await sidecarOnCloudplow(cp.config);
    cleanups.push(sidecar.stop);

    // Generation g: every SA has used g GiB and the session says stage g. A torn read
    // would show a mix, or an empty file, or nothing at all.
    const writer = pythonProcess(
      `import time
d, q, s = sys.argv[1], sys.argv[2], sys.argv[3]
names = [os.path.join(d, f'{i}.json') for i in range(1, 201)]
end = time.time() + 6
g = 0
while time.time() < end:
    g = g % 700 + 1
    dump(q, {'google': {n: {'bytes': g * 1073741824, 'reset_time': time.time() + 3600, 'first_upload': time.time()} for n in names}})
    dump(s, {'active': True, 'uploader': 'google', 'session_start_time': time.time() - 60, 'stage': g, 'sa_index': 0, 'total_sas': 200, 'current_sa': names[0]})
print(g)`,
      [cp.saDir, quota, sessionFile],
    );
    cleanups.push(() => stopProcess(writer));

    const seen = new Set<number>();
    const accountsFile = path.join(sidecar.out, 'data', 'accounts.json');
    const sessionOut = path.join(sidecar.out, 'data', 'session.json');
    while (writer.exitCode === null) {
      const accounts = JSON.parse(readFileSync(accountsFile, 'utf8')) as Accounts;
      const used = new Set(accounts.uploaders[0]!.accounts.map((a) => a.usedBytes));
      // One generation per file: never half of one and half of another, never empty.
      expect(used.size, `mixed generations: ${[...used].join(', ')}`).toBe(1);
      seen.add([...used][0]!);
      const session = (JSON.parse(readFileSync(sessionOut, 'utf8')) as SessionFile).session;
      if (session) expect(session.stage.number).toBeGreaterThan(0);
      await sleep(15);
    }
    expect(writer.exitCode, writer.output()).toBe(0);
    // It kept up: many generations passed through, and it settles on the last one written.
    expect(seen.size).toBeGreaterThan(5);
    const last = Number(writer.output().trim());
    await waitFor('the last generation', () => (JSON.parse(readFileSync(accountsFile, 'utf8')) as Accounts).uploaders[0]!.accounts[0]!.usedBytes === last * GiB);
    await waitFor('the quota cache to read ok again', () => sidecar.data<Health>('health').sources.find((s) => s.id === 'cloudplow:sa_quota_cache.json')!.state === 'ok');
    expectValidOutput(sidecar.out);
  });
});

describe('the log, rotated by RotatingFileHandler', () => {
  it('follows every rotation without losing, repeating or reordering a line', async () => {
    const cp = makeCloudplowFolder({ accounts: 2 });
    cleanups.push(() => rmSync(cp.dir, { recursive: true, force: true }));
    writeLog(cp.log, [['cloudplow', 'info', 'line 0']]);
    const sidecar = await sidecarOnCloudplow(cp.config, ['--log-lines', '400']);
    cleanups.push(sidecar.stop);

    // About 130 lines per file: a rotation every few bursts, with the reader in between.
    const writer = pythonProcess(
      `import time
logger(sys.argv[1], max_bytes=20000, backups=3)
log = logging.getLogger('cloudplow')
for i in range(1, 2001):
    log.info(f'line {i} <b>bold</b>')
    if i % 40 == 0:
        time.sleep(0.06)`,
      [cp.log],
    );
    cleanups.push(() => stopProcess(writer));
    await waitFor('the writer to finish', () => writer.exitCode !== null, 60_000);
    expect(writer.exitCode, writer.output()).toBe(0);
    const logs = await waitFor('the last line', () => {
      const l = sidecar.data<Logs>('logs');
      return l.lines.at(-1)?.message === 'line 2000 <b>bold</b>' ? l : null;
    });
    const numbers = logs.lines.map((l) => Number(/^line (\d+)/.exec(l.message)![1]));
    expect(numbers).toEqual(Array.from({ length: 400 }, (_, i) => 1601 + i));
    expect(readFileSync(`${cp.log}.1`, 'utf8').length).toBeGreaterThan(0);
  });
});

describe("cache.db, while cloudplow holds its lock", () => {
  it('waits, reports the busy database, keeps the last bans, and reads the new ones once the lock goes', async () => {
    const cp = makeCloudplowFolder({ accounts: 3 });
    cleanups.push(() => rmSync(cp.dir, { recursive: true, force: true }));
    const sa = (n: number) => path.join(cp.saDir, `${n}.json`);
    const until = Date.now() / 1000 + 3600;
    writeBans(cp.cacheDb, 'sa_bans', { google: { [sa(1)]: until, [sa(2)]: null, [sa(3)]: null } });
    const sidecar = await sidecarOnCloudplow(cp.config);
    cleanups.push(sidecar.stop);
    const statusOf = (n: number) => sidecar.data<Accounts>('accounts').uploaders[0]!.accounts.find((a) => a.name === `${n}.json`)!.status;
    await waitFor('the first ban', () => statusOf(1) === 'banned');

    // An exclusive transaction that changes the bans and holds the lock for 4 s.
    const holder = pythonProcess(
      `import time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute('BEGIN EXCLUSIVE')
db.execute('REPLACE INTO "sa_bans" (key, value) VALUES (?, ?)', ('google', json.dumps({sys.argv[2]: None, sys.argv[3]: float(sys.argv[4]), sys.argv[5]: None})))
print('locked', flush=True)
time.sleep(4)
db.execute('COMMIT')
print('committed', flush=True)`,
      [cp.cacheDb, sa(1), sa(2), String(until), sa(3)],
    );
    cleanups.push(() => stopProcess(holder));
    await waitFor('the lock', () => holder.output().includes('locked'));
    const busy = await waitFor(
      'the busy database in health.json',
      () => sidecar.data<Health>('health').sources.find((s) => s.id === 'cloudplow:cache.db' && s.state === 'error'),
      15_000,
    );
    expect(busy.lastError!.message).toMatch(/SQLITE_BUSY|locked/);
    expect(busy.hint).toMatch(/last bans/);
    // The last good bans stay meanwhile.
    expect(statusOf(1)).toBe('banned');
    await waitFor('the commit', () => holder.output().includes('committed'), 15_000);
    await waitFor('the new bans', () => statusOf(2) === 'banned' && statusOf(1) === 'available', 20_000);
    await waitFor('cache.db ok again', () => sidecar.data<Health>('health').sources.find((s) => s.id === 'cloudplow:cache.db')!.state === 'ok');
    expect(sidecar.proc.running).toBe(true);
  });
});

describe('upstream cloudplow: config, cache.db and the log only', () => {
  it('finds the session in the log and the accounts in the SA folder and sa_bans; the fork files read as missing, not errors', async () => {
    const cp = makeCloudplowFolder({ accounts: 4 });
    cleanups.push(() => rmSync(cp.dir, { recursive: true, force: true }));
    const sa = (n: number) => path.join(cp.saDir, `${n}.json`);
    writeBans(cp.cacheDb, 'sa_bans', { google: { [sa(1)]: Date.now() / 1000 + 7200, [sa(2)]: null, [sa(3)]: null, [sa(4)]: null } });
    writeBans(cp.cacheDb, 'uploader_bans', { google: Date.now() / 1000 + 600 });
    writeLog(cp.log, [
      ['cloudplow', 'info', 'Starting upload'],
      ['cloudplow', 'info', 'There is 3 available service accounts'],
      ['uploader', 'info', `Using service account: ${sa(2)}`],
      ['uploader', 'info', "Uploading '/mnt/local/Media' to remote: google"],
    ]);
    // An upload in progress: cloudplow's lock file (lockfile makes locks/upload.lock).
    const locks = path.join(cp.dir, 'locks');
    pythonProcess(`os.makedirs(sys.argv[1], exist_ok=True)\nopen(os.path.join(sys.argv[1], 'upload.lock'), 'w').close()`, [locks]);
    await waitFor('the lock file', () => {
      try {
        return readFileSync(path.join(locks, 'upload.lock'), 'utf8') === '';
      } catch {
        return false;
      }
    });
    const sidecar = await sidecarOnCloudplow(cp.config);
    cleanups.push(sidecar.stop);

    const session = sidecar.data<SessionFile>('session').session!;
    // cloudplow picks from the SAs not banned, in order: 1.json is banned, so 2.json is the first of 3.
    expect(session).toMatchObject({ uploader: 'google', active: true, from: 'cloudplow.log', account: { index: 1, of: 3, name: '2.json' }, accountsUsed: ['2.json'] });
    expect(session.evidence).toContain('the upload lock file is present');
    const google = sidecar.data<Accounts>('accounts').uploaders[0]!;
    expect(google.accounts.map((a) => [a.name, a.status])).toEqual([
      ['1.json', 'banned'],
      ['2.json', 'active'],
      ['3.json', 'available'],
      ['4.json', 'available'],
    ]);
    expect(google.bannedUntil).not.toBeNull();
    const health = sidecar.data<Health>('health');
    for (const id of ['cloudplow:sa_quota_cache.json', 'cloudplow:dashboard_session_state.json', 'cloudplow:learned_sizes_cache.json', 'cloudplow:transfer-stats']) {
      expect(health.sources.find((s) => s.id === id)!.state, id).toBe('missing');
    }
    expect(health.state).not.toBe('error');

    // The upload ends: the lock goes, and the session is no longer active.
    rmSync(locks, { recursive: true });
    writeLog(cp.log, [['cloudplow', 'info', 'Finished upload']]);
    await waitFor('the session to end', () => sidecar.data<SessionFile>('session').session?.active === false);
    expectValidOutput(sidecar.out);
  });
});
