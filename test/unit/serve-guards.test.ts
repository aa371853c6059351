import { hashSync } from 'bcryptjs';
import { describe, expect, it, vi } from 'vitest';

// Counts bcrypt verifications while keeping the real one.
const compares = vi.hoisted(() => ({ n: 0 }));
vi.mock('bcryptjs', async (original) => {
  const real = await original<typeof import('bcryptjs')>();
  return {
    ...real,
    compare: (password: string, hash: string) => {
      compares.n++;
      return real.compare(password, hash);
    },
  };
});

const { basicAuth } = await import('../../sidecar/serve/basicAuth.js');
const { hostChecker, hostName } = await import('../../sidecar/serve/hostCheck.js');
const { resolveServeSettings } = await import('../../sidecar/config/serveSettings.js');

const header = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('the login check', () => {
  const users = new Map([
    ['alice', hashSync('pw-a', 4)],
    ['bob', hashSync('pw-b', 4)],
    ['carol', hashSync('pw-c', 4)],
  ]);

  it('runs bcrypt once for a login a page repeats, again after the TTL, and never caches a failure', async () => {
    let now = 1_000_000;
    const check = basicAuth(users, { ttlMs: 60_000, now: () => now });
    compares.n = 0;
    // A page load: many requests at once with the same header share one verification.
    expect(await Promise.all(Array.from({ length: 10 }, () => check(header('alice', 'pw-a'))))).toEqual(Array(10).fill(true));
    expect(compares.n).toBe(1);
    now += 59_000;
    expect(await check(header('alice', 'pw-a'))).toBe(true);
    expect(compares.n).toBe(1);
    now += 2_000;
    expect(await check(header('alice', 'pw-a'))).toBe(true);
    expect(compares.n).toBe(2);
    expect(await check(header('alice', 'nope'))).toBe(false);
    expect(await check(header('alice', 'nope'))).toBe(false);
    expect(compares.n).toBe(4);
  });

  it('spends a bcrypt on an unknown user too, so timing does not tell which users exist', async () => {
    const check = basicAuth(users);
    compares.n = 0;
    expect(await check(header('mallory', 'pw-a'))).toBe(false);
    expect(compares.n).toBe(1);
    // The decoy hash's own password does not let an unknown user in.
    expect(await check(header('mallory', 'pw-a'))).toBe(false);
  });

  it('keeps at most maxEntries verified logins, dropping the oldest', async () => {
    const check = basicAuth(users, { maxEntries: 2 });
    compares.n = 0;
    for (const [u, p] of [['alice', 'pw-a'], ['bob', 'pw-b'], ['carol', 'pw-c']]) expect(await check(header(u!, p!))).toBe(true);
    expect(compares.n).toBe(3);
    await check(header('carol', 'pw-c'));
    await check(header('bob', 'pw-b'));
    expect(compares.n).toBe(3);
    await check(header('alice', 'pw-a'));
    expect(compares.n).toBe(4);
  });
});

describe('Host names', () => {
  it('reads the name from a Host header: port, brackets, case and a trailing dot dropped; malformed is null', () => {
    expect(hostName('Dash.Example.LAN.:8080')).toBe('dash.example.lan');
    expect(hostName('[::1]:47949')).toBe('::1');
    expect(hostName('[::ffff:127.0.0.1]')).toBe('127.0.0.1');
    expect(hostName('::1')).toBeNull();
    expect(hostName('a b')).toBeNull();
    expect(hostName('[zz::1]')).toBeNull();
    expect(hostName('')).toBeNull();
  });

  it('allows the bound name and the address the connection came in on, not other addresses', () => {
    const named = hostChecker({ bound: 'dash.lan', allowed: [] });
    expect(named('dash.lan:47949', '192.168.1.5')).toBe(true);
    expect(named('192.168.1.5', '::ffff:192.168.1.5')).toBe(true);
    expect(named('192.168.1.6', '192.168.1.5')).toBe(false);
    expect(named('evil.example.com', '127.0.0.1')).toBe(false);
    expect(hostChecker({ bound: '::', allowed: [] })('10.0.0.1', '172.17.0.2')).toBe(true);
  });
});

describe('the server settings', () => {
  const picked = (value: unknown, where = '--x') => ({ value, where, key: null });
  const none = { allowedHosts: null, frameAncestors: null, authFile: null };

  it('flattens repeated, comma-separated and config-file host lists, normalized', () => {
    expect(resolveServeSettings({ ...none, allowedHosts: picked('Dash.LAN., 192.168.1.5,[::1]') }, '/').allowedHosts).toEqual(['dash.lan', '192.168.1.5', '::1']);
    expect(resolveServeSettings({ ...none, allowedHosts: picked(['a.lan', 'b.lan,c.lan'], 'plowboard.json') }, '/').allowedHosts).toEqual(['a.lan', 'b.lan', 'c.lan']);
    expect(resolveServeSettings(none, '/')).toEqual({ allowedHosts: [], frameAncestors: "'self'", authFile: null });
  });

  it('refuses a host with a scheme, a port or a path', () => {
    for (const bad of ['http://dash.lan', 'dash.lan:8080', 'dash.lan/x', 'a b']) {
      expect(() => resolveServeSettings({ ...none, allowedHosts: picked(bad) }, '/'), bad).toThrow(/must be host names/);
    }
  });

  it("takes CSP sources, quoting self and none, and refuses anything that could add to the policy", () => {
    const fa = (v: string) => resolveServeSettings({ ...none, frameAncestors: picked(v) }, '/').frameAncestors;
    expect(fa("self https://home.example.lan:8123")).toBe("'self' https://home.example.lan:8123");
    expect(fa("'none'")).toBe("'none'");
    expect(fa('https://*.example.lan http:')).toBe('https://*.example.lan http:');
    for (const bad of ["'self'; script-src *", "'none' 'self'", "'unsafe-inline'", 'a,b', '"x"', '']) {
      expect(() => fa(bad), bad).toThrow(/must be CSP sources/);
    }
  });
});
