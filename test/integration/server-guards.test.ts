import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashSync } from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../sidecar/serve/headers.js';
import { rawRequest } from '../helpers/http.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { rawHttp } from '../helpers/rawSocket.js';
import { repoRoot, runCli, SidecarProcess } from '../helpers/sidecarProcess.js';

/**
 * The built-in server as a user starts it (`plowboard serve`, a child process on loopback),
 * asked what a hostile page or a stranger on the network would ask.
 */
let work: string;
let out: string;
let htpasswd: string;
const started: SidecarProcess[] = [];
const CANARY = 'CANARY-must-not-be-served';
const ASSET = '/assets/overview.0123456789.js';

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-guards-'));
  out = path.join(work, 'output');
  for (const dir of ['data', 'assets', '.git', 'kiosk']) mkdirSync(path.join(out, dir), { recursive: true });
  writeFileSync(path.join(out, 'index.html'), '<!doctype html><title>plowboard</title>');
  writeFileSync(path.join(out, 'kiosk', 'index.html'), '<!doctype html><title>kiosk</title>');
  writeFileSync(path.join(out, 'data', 'health.json'), '{"state":"ok"}\n');
  writeFileSync(path.join(out, ASSET), 'export {};');
  // The precompressed copies the site build writes beside assets stay servable.
  writeFileSync(path.join(out, `${ASSET}.br`), 'brotli-bytes');
  writeFileSync(path.join(out, 'metrics.prom'), 'plowboard_up 1\n');
  writeFileSync(path.join(out, '.env'), `RCLONE_PASS=${CANARY}\n`);
  writeFileSync(path.join(out, '.git', 'config'), `[remote] url = https://u:${CANARY}@x\n`);
  writeFileSync(path.join(out, 'data', '.x'), CANARY);
  // A folder outside the output folder, reached through a symlinked folder inside it.
  mkdirSync(path.join(work, 'outside'));
  writeFileSync(path.join(work, 'outside', 'x.txt'), CANARY);
  writeFileSync(path.join(work, 'outside', 'index.html'), CANARY);
  symlinkSync(path.join(work, 'outside'), path.join(out, 'linkdir'));
  // A symlinked folder whose real path stays inside is not a leak.
  symlinkSync(path.join(out, 'data'), path.join(out, 'alias'));

  htpasswd = path.join(work, 'htpasswd');
  // htpasswd -B writes $2y$ with cost 5; bcryptjs writes $2b$. Both are the same algorithm.
  writeFileSync(
    htpasswd,
    `# plowboard users\nalice:${hashSync('correct horse', 5).replace(/^\$2b\$/, '$2y$')}\n\nbob:${hashSync('b0b-pass', 5)}\n`,
  );
});

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
  rmSync(work, { recursive: true, force: true });
});

/** `plowboard serve` on the test folder; resolves once it says it is serving. */
async function serve(args: string[], env: Record<string, string> = {}): Promise<number> {
  const port = await freePort();
  const proc = new SidecarProcess(['serve', '--output', out, '--port', String(port), ...args], env).start();
  started.push(proc);
  await waitFor(`plowboard serve ${args.join(' ')}`, () => proc.stderr.includes('serving') || !proc.running);
  if (!proc.running) throw new Error(`plowboard serve ${args.join(' ')} exited: ${proc.stderr}`);
  return port;
}

const get = (port: number, p: string, headers: Record<string, string> = {}) => rawRequest(port, 'GET', p, headers);
const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });

describe('the built-in server answers only for its own names (DNS rebinding)', () => {
  let port: number;
  beforeAll(async () => {
    port = await serve([]);
  });

  it('refuses a name that is not its own with 421 and one line naming the flag to set', async () => {
    for (const host of ['evil.example.com', `evil.example.com:${port}`, 'EVIL.Example.com.', 'localhost.evil.example.com', '127.0.0.1.nip.io', '10.1.2.3', '[2001:db8::1]:80']) {
      const r = await get(port, '/data/health.json', { host });
      expect(r.status, host).toBe(421);
      expect(r.body, host).not.toContain('"state"');
      expect(r.body.trimEnd().split('\n'), host).toHaveLength(1);
      expect(r.body, host).toContain('--allowed-host');
      expect(String(r.headers['content-type'])).toMatch(/^text\/plain/);
    }
    expect((await get(port, '/data/health.json', { host: 'evil.example.com' })).body).toContain('--allowed-host evil.example.com');
  });

  it('answers localhost, loopback addresses and its own bound address, in any case, with a port or a trailing dot', async () => {
    for (const host of [`127.0.0.1:${port}`, '127.0.0.1', 'localhost', `LocalHost.:${port}`, '127.0.0.2', '[::1]', `[::1]:${port}`]) {
      const r = await get(port, '/data/health.json', { host });
      expect(r.status, host).toBe(200);
      expect(r.body, host).toContain('"state"');
    }
  });

  it('answers an HTTP/1.0 request without Host: only browsers are the threat, and every browser sends one', async () => {
    const r = await rawHttp(port, 'GET /data/health.json HTTP/1.0\r\n\r\n');
    expect(r.status).toBe(200);
    expect(r.body).toContain('"state"');
  });

  it('answers the names given with --allowed-host (repeated or comma-separated) and no others', async () => {
    const named = await serve(['--allowed-host', 'dash.example.lan', '--allowed-host', 'Other.lan,third.lan.']);
    for (const host of ['dash.example.lan', `DASH.example.lan.:${named}`, 'other.lan', 'third.lan', '127.0.0.1']) {
      expect((await get(named, '/data/health.json', { host })).status, host).toBe(200);
    }
    expect((await get(named, '/data/health.json', { host: 'evil.example.com' })).status).toBe(421);
  });

  it('answers any IP address it is reached by when bound to every address, names still only when allowed', async () => {
    const wildcard = await serve(['--host', '0.0.0.0']);
    for (const host of ['192.0.2.7', `192.0.2.7:${wildcard}`, '127.0.0.1', '[2001:db8::1]']) {
      expect((await get(wildcard, '/data/health.json', { host })).status, host).toBe(200);
    }
    expect((await get(wildcard, '/data/health.json', { host: 'evil.example.com' })).status).toBe(421);
  });

  it('answers every Host with PLOWBOARD_ALLOWED_HOST=* (behind a proxy that checks Host itself)', async () => {
    const any = await serve([], { PLOWBOARD_ALLOWED_HOST: '*' });
    expect((await get(any, '/data/health.json', { host: 'evil.example.com' })).status).toBe(200);
  });

  it('refuses an --allowed-host that is not a host name, with one line (exit 2)', async () => {
    const r = await runCli(['serve', '--output', out, '--allowed-host', 'http://dash.lan:8080']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--allowed-host');
  });
});

describe('nothing outside what the site is', () => {
  let port: number;
  beforeAll(async () => {
    port = await serve([]);
  });

  it('answers 404 for dotfiles and dot-folders, however the dot is written', async () => {
    for (const p of ['/.env', '/.git/config', '/data/.x', '/%2eenv', '/%2Egit/config', '/data/%2ex', '/data/../.env', '/.git/']) {
      const r = await get(port, p);
      expect(r.status, p).toBe(404);
      expect(r.body, p).not.toContain(CANARY);
    }
  });

  it('answers 404 for a file in a symlinked folder that leads out of the output folder', async () => {
    for (const p of ['/linkdir/x.txt', '/linkdir/', '/linkdir', '/linkdir/index.html', '/%6cinkdir/x.txt']) {
      const r = await get(port, p);
      expect(r.status, p).toBe(404);
      expect(r.body, p).not.toContain(CANARY);
    }
  });

  it('still serves pages, data, assets, their precompressed copies, and a symlinked folder that stays inside', async () => {
    for (const p of ['/', '/kiosk/', '/data/health.json', ASSET, `${ASSET}.br`, '/metrics.prom', '/alias/health.json']) {
      expect((await get(port, p)).status, p).toBe(200);
    }
  });

  it("sends frame-ancestors 'self' by default, on pages, data and refusals", async () => {
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'self'");
    for (const [p, host] of [['/', '127.0.0.1'], ['/data/health.json', '127.0.0.1'], ['/.env', '127.0.0.1'], ['/', 'evil.example.com']] as const) {
      expect((await get(port, p, { host })).headers['content-security-policy'], `${p} ${host}`).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('sends the frame-ancestors given for a kiosk that embeds the page, and refuses one that would change the policy', async () => {
    const kiosk = await serve(['--frame-ancestors', "'self' https://home.example.lan:8123"]);
    const csp = String((await get(kiosk, '/kiosk/')).headers['content-security-policy']);
    expect(csp).toMatch(/; frame-ancestors 'self' https:\/\/home\.example\.lan:8123$/);
    expect(csp).toContain("script-src 'self';");
    const bad = await runCli(['serve', '--output', out, '--frame-ancestors', "'self'; script-src *"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--frame-ancestors');
  });
});

describe('the optional login (--auth-file)', () => {
  let port: number;
  beforeAll(async () => {
    // Set through the config file this time, with a name allowed there too.
    const config = path.join(work, 'plowboard.json');
    writeFileSync(config, JSON.stringify({ authFile: htpasswd, allowedHosts: ['dash.example.lan'] }));
    port = await serve(['--config', config]);
  });

  const everything = ['/', '/kiosk/', '/data/health.json', ASSET, '/metrics.prom'];

  it('answers 401 with a Basic challenge for pages, data, assets, metrics and even 404s without a login', async () => {
    for (const p of [...everything, '/no-such-page', '/.env']) {
      const r = await get(port, p);
      expect(r.status, p).toBe(401);
      expect(r.headers['www-authenticate'], p).toBe('Basic realm="plowboard"');
      expect(r.body, p).not.toMatch(/plowboard<\/title>|"state"|export|plowboard_up/);
    }
  });

  it('answers 401 for a wrong password, an unknown user and a malformed header', async () => {
    for (const headers of [basic('alice', 'wrong'), basic('alice', ''), basic('mallory', 'correct horse'), { authorization: 'Basic !!!' }, { authorization: 'Bearer x' }]) {
      const r = await get(port, '/data/health.json', headers);
      expect(r.status, headers.authorization).toBe(401);
      expect(r.body).not.toContain('"state"');
    }
  });

  it('answers 200 for every kind of file with the right login ($2y$ and $2b$ entries), and 404 for what is not there', async () => {
    for (const creds of [basic('alice', 'correct horse'), basic('bob', 'b0b-pass')]) {
      for (const p of everything) expect((await get(port, p, creds)).status, p).toBe(200);
      expect((await get(port, '/no-such-page', creds)).status).toBe(404);
      expect((await get(port, '/.env', creds)).status).toBe(404);
    }
    // Many requests at once with the same login, as a page load makes them.
    const many = await Promise.all(Array.from({ length: 20 }, () => get(port, '/data/health.json', basic('alice', 'correct horse'))));
    expect(many.map((r) => r.status)).toEqual(Array(20).fill(200));
  });

  it('checks the Host before the login, and never prints a password', async () => {
    expect((await get(port, '/', { ...basic('alice', 'correct horse'), host: 'evil.example.com' })).status).toBe(421);
    expect((await get(port, '/', { ...basic('alice', 'correct horse'), host: 'dash.example.lan' })).status).toBe(200);
    const proc = started.at(-1)!;
    expect(proc.stderr + proc.stdout).not.toMatch(/correct horse|b0b-pass|wrong/);
    expect(proc.stderr).toContain('login required');
  });

  it("keeps the container's HEALTHCHECK working: a 401 shows the server is up, the heartbeat is read from the folder", () => {
    writeFileSync(path.join(out, 'data', 'index.json'), JSON.stringify({ heartbeatAt: new Date().toISOString(), heartbeatSeconds: 5, intervals: { activeSeconds: 2 } }));
    const check = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'plowboard-healthcheck.js')], {
      env: { PATH: process.env.PATH ?? '', PLOWBOARD_PORT: String(port), PLOWBOARD_OUTPUT: out },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(check.stdout).toMatch(/^healthy: heartbeat \d+ s old\n$/);
    expect(check.status).toBe(0);
  });

  it('refuses to start with one line and exit 2 for a missing file, a hash that is not bcrypt, or no users', async () => {
    const cases: Array<[string, string | null, RegExp]> = [
      ['missing', null, /cannot read .*missing \(ENOENT\)/],
      ['apr1', 'carol:$apr1$x1y2z3$0123456789abcdefABCDEF\n', /line 1: not a bcrypt hash .*\$apr1\$.*htpasswd -B/],
      ['sha', 'dave:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n', /line 1: not a bcrypt hash .*\{SHA\}/],
      ['plain', `# comment\neve:${CANARY}\n`, /line 2: not a bcrypt hash \(crypt or plain text\)/],
      ['empty', '# nobody yet\n', /has no user:hash lines/],
    ];
    for (const [name, text, message] of cases) {
      const file = path.join(work, `auth-${name}`);
      if (text !== null) writeFileSync(file, text);
      const r = await runCli(['serve', '--output', out, '--port', String(await freePort()), '--auth-file', file]);
      expect(r.code, name).toBe(2);
      expect(r.stderr.trim().split('\n'), name).toHaveLength(1);
      expect(r.stderr, name).toMatch(message);
      expect(r.stderr, name).not.toContain(CANARY);
      expect(r.stderr, name).not.toContain('0123456789abcdef');
    }
  });
});
