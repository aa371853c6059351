import { describe, expect, it } from 'vitest';
import type { Account, Accounts, Live, LiveInstance, Session, SourceHealth } from '../../sidecar/contract/index.js';
import { EventDerivation, errorBursts, type Views } from '../../sidecar/state/eventDerivation.js';
import { EventLog } from '../../sidecar/state/eventLog.js';
import { transferRecord } from '../helpers/fixtures.js';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

const account = (name: string, over: Partial<Account> = {}): Account =>
  ({ name, path: null, usedBytes: 0, quotaBytes: 1, remainingBytes: 1, percent: 0, firstUploadAt: null, resetAt: null, status: 'available', bannedUntil: null, limitHitAt: null, sources: { used: 'none', status: 'cache.db' }, ...over }) as Account;
const accounts = (list: Account[]): Accounts => ({ uploaders: [{ name: 'google', accounts: list }] }) as unknown as Accounts;
const instance = (over: Partial<LiveInstance> = {}): LiveInstance => ({ name: 'default', state: 'ok', phase: 'transferring', ...over }) as LiveInstance;
const live = (i: LiveInstance = instance()): Live => ({ instances: [i] }) as unknown as Live;
const source = (state: SourceHealth['state'], since: string, message: string | null = null): SourceHealth =>
  ({ id: 'rclone:default', name: 'default', state, since, lastError: message ? { at: since, message } : null }) as SourceHealth;
const activeSession = { active: true, uploader: 'google', account: { name: '2.json' }, evidence: ['the upload lock file is present'] } as Session;

function views(over: Partial<Views> & { now: number }): Views {
  return { logEvents: [], accounts: accounts([]), session: null, live: live(), transfers: [], sources: [], ...over };
}

describe('events from comparing views', () => {
  it('tells a ban once, however many publishes and restarts see it', () => {
    const banned = accounts([account('1.json', { status: 'banned', bannedUntil: iso(T0 + 25 * 3600_000) })]);
    const log = new EventLog();
    const d = new EventDerivation();
    log.add(d.derive(views({ now: T0, accounts: banned })), T0);
    log.add(d.derive(views({ now: T0 + 2000, accounts: banned })), T0 + 2000);
    // After a restart: a new derivation, the same ban.
    log.add(new EventDerivation().derive(views({ now: T0 + 60_000, accounts: banned })), T0 + 60_000);
    expect(log.list().map((e) => [e.kind, e.account, e.until, e.time])).toEqual([['sa_banned', '1.json', iso(T0 + 25 * 3600_000), iso(T0)]]);
  });

  it('tells a quota window reset at its time, once it has passed', () => {
    const d = new EventDerivation();
    const resetAt = iso(T0 + 60_000);
    expect(d.derive(views({ now: T0, accounts: accounts([account('1.json', { usedBytes: 5, resetAt })]) }))).toEqual([]);
    const after = d.derive(views({ now: T0 + 61_000, accounts: accounts([account('1.json', { usedBytes: 0, resetAt: null })]) }));
    expect(after.map((e) => [e.kind, e.account, e.time])).toEqual([['quota_reset', '1.json', resetAt]]);
  });

  it('tells a source turning bad, with its error, and good again', () => {
    const d = new EventDerivation();
    expect(d.derive(views({ now: T0, sources: [source('ok', iso(T0))] }))).toEqual([]);
    const bad = d.derive(views({ now: T0 + 5000, sources: [source('unreachable', iso(T0 + 4000), 'connect ETIMEDOUT')] }));
    expect(bad.map((e) => [e.kind, e.severity, e.time, e.evidence.line])).toEqual([['source_bad', 'error', iso(T0 + 4000), 'connect ETIMEDOUT']]);
    expect(d.derive(views({ now: T0 + 6000, sources: [source('unreachable', iso(T0 + 4000), 'connect ETIMEDOUT')] }))).toEqual([]);
    // Idle (nothing listening) is a normal condition: no longer bad.
    expect(d.derive(views({ now: T0 + 9000, sources: [source('idle', iso(T0 + 8000))] })).map((e) => e.kind)).toEqual(['source_good']);
  });

  it('tells an rclone restart once, and rclone idle for two minutes of an active session', () => {
    const d = new EventDerivation();
    const restarted = live(instance({ phase: 'idle', countersRestarted: { at: iso(T0), reason: 'restart' } }));
    const log = new EventLog();
    log.add(d.derive(views({ now: T0, live: restarted, session: activeSession })), T0);
    log.add(d.derive(views({ now: T0 + 60_000, live: restarted, session: activeSession })), T0 + 60_000);
    expect(log.list().map((e) => e.kind)).toEqual(['rclone_restarted']);
    log.add(d.derive(views({ now: T0 + 121_000, live: restarted, session: activeSession })), T0 + 121_000);
    // Newest first; of one time, the later told first.
    expect(log.list().map((e) => [e.kind, e.time, e.account])).toEqual([
      ['rclone_idle', iso(T0), '2.json'],
      ['rclone_restarted', iso(T0), null],
    ]);
    // A reset in place (core/stats-reset) is not a restart; busy again ends the idle spell.
    const reset = live(instance({ countersRestarted: { at: iso(T0 + 200_000), reason: 'reset' } }));
    expect(d.derive(views({ now: T0 + 200_000, live: reset, session: activeSession }))).toEqual([]);
  });

  it('tells five failures within ten minutes as one error burst that counts on', () => {
    const fail = (n: number, min: number) => transferRecord(`f${n}`, iso(T0 + min * 60_000), { ok: false, error: `error ${n}` });
    const four = [0, 1, 2, 3].map((n) => fail(n, n));
    expect(errorBursts(four)).toEqual([]);
    const burst = errorBursts([...four, fail(4, 4), fail(5, 8), transferRecord('ok', iso(T0))]);
    expect(burst.map((e) => [e.kind, e.time, e.count, e.file, e.evidence.line])).toEqual([['error_burst', iso(T0 + 4 * 60_000), 6, 'f5', 'error 5']]);
    const log = new EventLog();
    log.add(errorBursts([...four, fail(4, 4)]), T0 + 3600_000);
    log.add(burst, T0 + 3600_000);
    expect(log.list().map((e) => [e.count, e.summary])).toEqual([[6, '6 transfers failed in 8 min']]);
    // After a quiet spell longer than the window, a new burst is a new event.
    const later = [0, 1, 2, 3, 4].map((n) => fail(10 + n, 30 + n));
    expect(errorBursts([...four, fail(4, 4), ...later])).toHaveLength(2);
  });
});
