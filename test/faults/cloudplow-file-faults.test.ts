import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Accounts, Health, Logs, SourceHealth } from '../../sidecar/contract/index.js';
import { dumpJson, makeCloudplowFolder, writeBans, writeLog, type CloudplowFolder } from '../helpers/cloudplow.js';
import { waitFor } from '../helpers/ports.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { sidecarOnCloudplow } from '../helpers/sidecarProcess.js';

const GiB = 1024 ** 3;
let cp: CloudplowFolder;
let sidecar: Awaited<ReturnType<typeof sidecarOnCloudplow>>;
let quota: string;
const sa1 = () => path.join(cp.saDir, '1.json');

const source = (id: string) => sidecar.data<Health>('health').sources.find((s) => s.id === id)!;
const until = (id: string, pred: (s: SourceHealth) => boolean, what: string) => waitFor(what, () => (pred(source(id)) ? source(id) : null), 20_000, 50);
const used = () => sidecar.data<Accounts>('accounts').uploaders[0]!.accounts.find((a) => a.name === '1.json')!.usedBytes;
const writeQuota = (gib: number) => dumpJson(quota, { google: { [sa1()]: { bytes: gib * GiB, reset_time: Date.now() / 1000 + 3600, first_upload: Date.now() / 1000 } } });

beforeAll(async () => {
  cp = makeCloudplowFolder({ accounts: 3 });
  quota = path.join(cp.dir, 'sa_quota_cache.json');
  writeQuota(100);
  writeBans(cp.cacheDb, 'sa_bans', { google: { [path.join(cp.saDir, '2.json')]: Date.now() / 1000 + 3600 } });
  writeLog(cp.log, [['cloudplow', 'info', 'Starting upload']]);
  sidecar = await sidecarOnCloudplow(cp.config);
  await waitFor('the first quota', () => used() === 100 * GiB);
});
afterAll(async () => {
  await sidecar?.stop();
  rmSync(cp.dir, { recursive: true, force: true });
});

/** After each fault: the sidecar is up, and a good write is read again. */
async function recovers(gib: number): Promise<void> {
  expect(sidecar.proc.running).toBe(true);
  rmSync(quota, { recursive: true, force: true });
  writeQuota(gib);
  await waitFor(`the quota of ${gib} GiB`, () => used() === gib * GiB);
  await until('cloudplow:sa_quota_cache.json', (s) => s.state === 'ok', 'the quota cache ok again');
}

describe("cloudplow's JSON files, broken in every way", () => {
  it('deleted: reads as missing, quietly; recreated: read again', async () => {
    unlinkSync(quota);
    const s = await until('cloudplow:sa_quota_cache.json', (x) => x.state === 'missing', 'missing');
    expect(s.lastError).toBeNull();
    await waitFor('no usage without the file', () => used() === 0);
    await recovers(110);
  });

  it('replaced by a folder, a FIFO or a symlink loop: an error with a hint, the last good value kept, nothing hangs', async () => {
    for (const [make, words] of [
      [() => mkdirSync(quota), /not a regular file/],
      [() => spawnSync('mkfifo', [quota]), /not a regular file/],
      [() => symlinkSync(path.basename(quota), quota), /ELOOP/],
    ] as const) {
      rmSync(quota, { force: true });
      make();
      const s = await until('cloudplow:sa_quota_cache.json', (x) => x.state === 'error' && words.test(x.lastError?.message ?? ''), `error ${words}`);
      expect(s.hint).toBeTruthy();
      expect(used()).toBe(110 * GiB);
      // The other files are still read: the log moves on.
      const before = sidecar.data<Logs>('logs').lines.length;
      writeLog(cp.log, [['cloudplow', 'info', `still alive ${words}`]]);
      await waitFor('the log still followed', () => sidecar.data<Logs>('logs').lines.length > before);
      rmSync(quota, { recursive: true, force: true });
      await recovers(110);
    }
  });

  it('100 MB of JSON: refused by size, the last good value kept', async () => {
    const big = `${quota}.big`;
    writeFileSync(big, `{"google": {"x": "${'a'.repeat(100 * 1024 * 1024)}"}}`);
    renameSync(big, quota);
    const s = await until('cloudplow:sa_quota_cache.json', (x) => x.state === 'error', 'too large');
    expect(s.lastError!.message).toMatch(/over the .*-byte limit/);
    expect(used()).toBe(110 * GiB);
    await recovers(120);
  });

  it('nesting 10,000 deep, a list instead of an object, invalid UTF-8: refused or read, never a crash', async () => {
    writeFileSync(quota, `{"google": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    await until('cloudplow:sa_quota_cache.json', (x) => x.state === 'error' && /nested deeper than 512/.test(x.lastError?.message ?? ''), 'deep nesting refused');
    expect(used()).toBe(120 * GiB);
    writeFileSync(quota, '[{"bytes": 1}]');
    await until('cloudplow:sa_quota_cache.json', (x) => x.state === 'error' && /a list/.test(x.lastError?.message ?? ''), 'a list refused');
    writeFileSync(quota, Buffer.concat([Buffer.from(`{"google": {"${sa1()}\xff": {"bytes": 1}, "`), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('.json": {"bytes": 5}}}')]));
    await until('cloudplow:sa_quota_cache.json', (x) => x.state === 'ok', 'invalid UTF-8 read as replacement characters');
    expectValidOutput(sidecar.out);
    await recovers(130);
  });
});

describe('cache.db broken', () => {
  it('corrupt, or not a database at all: an error, the last bans kept; a good database read again', async () => {
    const banned = () => sidecar.data<Accounts>('accounts').uploaders[0]!.accounts.find((a) => a.name === '2.json')!.status;
    await waitFor('the ban', () => banned() === 'banned');
    const good = readFileSync(cp.cacheDb);
    for (const bad of [Buffer.from('this is not a database\n'), Buffer.concat([good.subarray(0, 100), Buffer.alloc(good.length - 100, 0x5a)])]) {
      writeFileSync(`${cp.cacheDb}.new`, bad);
      renameSync(`${cp.cacheDb}.new`, cp.cacheDb);
      const s = await until('cloudplow:cache.db', (x) => x.state === 'error', 'cache.db error');
      expect(s.lastError!.message).toMatch(/SQLITE_NOTADB|SQLITE_CORRUPT|not a database|malformed/);
      expect(banned()).toBe('banned');
      expect(sidecar.proc.running).toBe(true);
    }
    writeFileSync(`${cp.cacheDb}.new`, good);
    renameSync(`${cp.cacheDb}.new`, cp.cacheDb);
    await until('cloudplow:cache.db', (x) => x.state === 'ok', 'cache.db ok again');
  });
});

describe('the log broken', () => {
  it('truncated in place, full of binary, one 10 MB line: followed on, cut to size, nothing but text in logs.json', async () => {
    truncateSync(cp.log, 0);
    writeLog(cp.log, [['cloudplow', 'info', 'after truncation']]);
    await waitFor('the line after truncation', () => sidecar.data<Logs>('logs').lines.at(-1)?.message === 'after truncation');

    appendFileSync(cp.log, Buffer.concat([Buffer.from([0, 1, 2, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xff, 0xfe, 0x0a]), Buffer.alloc(4096, 0x07), Buffer.from('\n')]));
    appendFileSync(cp.log, `${'y'.repeat(10 * 1024 * 1024)}\n`);
    writeLog(cp.log, [['cloudplow', 'info', 'after the flood']]);
    const logs = await waitFor('the line after the flood', () => {
      const l = sidecar.data<Logs>('logs');
      return l.lines.at(-1)?.message === 'after the flood' ? l : null;
    });
    const text = JSON.stringify(logs.lines);
    // eslint-disable-next-line no-control-regex
    expect(logs.lines.some((l) => /[\u0000-\u0008\u001b]/.test(l.message))).toBe(false);
    expect(text.length).toBeLessThan(200_000);
    expect(statSync(path.join(sidecar.out, 'data', 'logs.json')).size).toBeLessThan(1_000_000);
    expect(sidecar.proc.running).toBe(true);
    await until('cloudplow:log', (x) => x.state === 'ok', 'log ok');
  });
});
