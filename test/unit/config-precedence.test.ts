import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../sidecar/config/configError.js';
import { effectiveConfig } from '../../sidecar/config/effective.js';
import { loadConfig } from '../../sidecar/config/load.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'plowboard-config-'));
const write = (d: string, name: string, data: unknown) => {
  const file = path.join(d, name);
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
};
const errorOf = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration precedence', () => {
  it('uses defaults when nothing is set', () => {
    const cwd = dir();
    const c = loadConfig({}, {}, cwd);
    expect(c).toMatchObject({ host: '127.0.0.1', port: 47949, intervalSeconds: 2, output: path.join(cwd, 'output') });
    expect(c.rclone).toEqual([{ name: 'default', url: 'http://localhost:7949', user: null, pass: null, credentialsFrom: null }]);
  });

  it('lets the environment beat the file and flags beat both', () => {
    const cwd = dir();
    const file = write(cwd, 'plowboard.json', { port: 1111, interval: 5, host: '0.0.0.0' });
    const fromFile = loadConfig({ config: file }, {}, cwd);
    expect([fromFile.port, fromFile.intervalSeconds, fromFile.host]).toEqual([1111, 5, '0.0.0.0']);
    const fromEnv = loadConfig({ config: file }, { PLOWBOARD_PORT: '2222', PLOWBOARD_INTERVAL: '3' }, cwd);
    expect([fromEnv.port, fromEnv.intervalSeconds, fromEnv.host]).toEqual([2222, 3, '0.0.0.0']);
    const fromFlags = loadConfig({ config: file, port: '3333' }, { PLOWBOARD_PORT: '2222' }, cwd);
    expect(fromFlags.port).toBe(3333);
  });

  it('takes the config file from PLOWBOARD_CONFIG too', () => {
    const cwd = dir();
    const file = write(cwd, 'p.json', { port: 4444 });
    expect(loadConfig({}, { PLOWBOARD_CONFIG: file }, cwd).port).toBe(4444);
  });
});

describe('bad configuration names the place, the key and the problem', () => {
  it('a value out of range in the file', () => {
    const cwd = dir();
    const file = write(cwd, 'p.json', { interval: 0 });
    const err = errorOf(() => loadConfig({ config: file }, {}, cwd));
    expect(err.message).toContain(file);
    expect(err.message).toContain('interval');
    expect(err.message).not.toContain('\n');
  });

  it('an unknown key (a typo) in the file', () => {
    const cwd = dir();
    const file = write(cwd, 'p.json', { prot: 1 });
    expect(errorOf(() => loadConfig({ config: file }, {}, cwd)).message).toBe(`${file}: prot: unknown setting`);
  });

  it('a file that is not JSON, or does not exist', () => {
    const cwd = dir();
    const file = write(cwd, 'p.json', '{ nope');
    expect(errorOf(() => loadConfig({ config: file }, {}, cwd)).message).toMatch(/p\.json: not valid JSON/);
    expect(errorOf(() => loadConfig({ config: path.join(cwd, 'none.json') }, {}, cwd)).message).toMatch(/does not exist/);
  });

  it('a bad variable or flag', () => {
    const cwd = dir();
    expect(errorOf(() => loadConfig({}, { PLOWBOARD_PORT: 'http' }, cwd)).message).toBe(
      'environment PLOWBOARD_PORT: must be a whole number from 0 to 65535, not "http"',
    );
    expect(errorOf(() => loadConfig({ interval: 'fast' }, {}, cwd)).message).toMatch(/^--interval: must be a number/);
    expect(errorOf(() => loadConfig({ rcloneUrl: ['ftp://x'] }, {}, cwd)).message).toMatch(/^--rclone-url: only http/);
  });

  it('every mistake of a file at once, each with the file, its key and what is wrong', () => {
    const cwd = dir();
    const file = write(cwd, 'p.json', { interval: 0, prot: 1, transfersLimit: 'many', host: 'fine' });
    const err = errorOf(() => loadConfig({ config: file }, {}, cwd));
    expect(err.problems.map((p) => [p.where, p.key])).toEqual([
      [file, 'interval'],
      [file, 'prot'],
      [file, 'transfersLimit'],
    ]);
    expect(err.problems[1]!.problem).toBe('unknown setting');
    expect(err.message.split('\n')).toEqual(err.problems.map((p) => p.message));
  });

  it('mistakes in the file, the variables, the flags and the rclone list together', () => {
    const cwd = dir();
    const file = write(cwd, 'p.json', { logLines: 1, rclone: [{ url: 'ftp://x' }, { url: 'http://h:1', pass: 'p' }] });
    const err = errorOf(() => loadConfig({ config: file, interval: 'fast' }, { PLOWBOARD_PORT: 'http', PLOWBOARD_SA_QUOTA: '750' }, cwd));
    expect(err.problems.map((p) => `${p.where}: ${p.key ?? ''}`)).toEqual([
      `${file}: logLines`,
      'environment PLOWBOARD_PORT: ',
      '--interval: ',
      'environment PLOWBOARD_SA_QUOTA: ',
      `${file}: rclone.0.url`,
      `${file}: rclone.1.user`,
    ]);
  });

  it('an explicit cloudplow config that does not exist', () => {
    const cwd = dir();
    expect(errorOf(() => loadConfig({ cloudplowConfig: 'missing.json' }, {}, cwd)).message).toMatch(/^--cloudplow-config: cloudplow config .* does not exist$/);
    expect(errorOf(() => loadConfig({}, { CLOUDPLOW_CONFIG: '/nonexistent/config.json' }, cwd)).where).toBe('environment CLOUDPLOW_CONFIG');
  });
});

describe('rclone instances and credentials', () => {
  it("takes the RC URL from cloudplow's dashboard.rc_url, else plex.rclone.url", () => {
    const cwd = dir();
    const both = write(cwd, 'both.json', { dashboard: { rc_url: 'http://localhost:5572' }, plex: { rclone: { url: 'http://localhost:7949' } } });
    expect(loadConfig({ cloudplowConfig: both }, {}, cwd).rclone[0]!.url).toBe('http://localhost:5572');
    const plex = write(cwd, 'plex.json', { plex: { rclone: { url: 'localhost:7950' } } });
    expect(loadConfig({ cloudplowConfig: plex }, {}, cwd).rclone[0]!.url).toBe('http://localhost:7950');
    const none = write(cwd, 'none.json', { uploader: {} });
    expect(loadConfig({ cloudplowConfig: none }, {}, cwd).rclone[0]!.url).toBe('http://localhost:7949');
  });

  it('discovers ./config.json only when it is cloudplow’s', () => {
    const cwd = dir();
    write(cwd, 'config.json', { port: 1 });
    expect(loadConfig({}, {}, cwd).cloudplow.found).toBe(false);
    write(cwd, 'config.json', { plex: { rclone: { url: 'http://127.0.0.1:9999' } }, uploader: {} });
    const c = loadConfig({}, {}, cwd);
    expect(c.cloudplow).toMatchObject({ found: true, from: 'discovered', path: path.join(cwd, 'config.json') });
    expect(c.rclone[0]!.url).toBe('http://127.0.0.1:9999');
  });

  it('takes user:pass from a URL but never keeps it in the URL', () => {
    const cwd = dir();
    // From the environment: the same URL as a flag is refused (cli-password-refused.test.ts).
    const c = loadConfig({}, { PLOWBOARD_RCLONE_URL: 'http://admin:s3cret%21@127.0.0.1:5572/' }, cwd);
    expect(c.rclone[0]).toMatchObject({ url: 'http://127.0.0.1:5572', user: 'admin', pass: 's3cret!' });
    const published = JSON.stringify(effectiveConfig(c, new Date().toISOString()));
    expect(published).not.toContain('s3cret');
    expect(published).not.toContain('admin');
  });

  it('uses PLOWBOARD_RCLONE_USER/PASS or a password file for the default instance', () => {
    const cwd = dir();
    const pw = write(cwd, 'pw', 'from-file\n');
    const env = { PLOWBOARD_RCLONE_USER: 'u', PLOWBOARD_RCLONE_PASS: 'from-env' };
    expect(loadConfig({}, env, cwd).rclone[0]).toMatchObject({ user: 'u', pass: 'from-env' });
    expect(loadConfig({ rclonePassFile: pw }, env, cwd).rclone[0]).toMatchObject({ user: 'u', pass: 'from-file' });
    expect(errorOf(() => loadConfig({ rclonePassFile: path.join(cwd, 'nope') }, env, cwd)).message).toMatch(/cannot read password file/);
  });

  it('runs any number of named instances from flags, variables or the file', () => {
    const cwd = dir();
    const c = loadConfig({ rcloneUrl: ['a=http://127.0.0.1:1', 'http://127.0.0.2:2'] }, {}, cwd);
    expect(c.rclone.map((r) => r.name)).toEqual(['a', '127.0.0.2_2']);
    expect(loadConfig({}, { PLOWBOARD_RCLONE_URL: 'x=http://h:1, y=http://h:2' }, cwd).rclone.map((r) => r.name)).toEqual(['x', 'y']);
    const file = write(cwd, 'p.json', { rclone: [{ name: 'seedbox', url: 'http://10.0.0.2:5572', user: 'u', pass: 'p' }] });
    expect(loadConfig({ config: file }, {}, cwd).rclone[0]).toMatchObject({ name: 'seedbox', user: 'u', pass: 'p' });
    expect(errorOf(() => loadConfig({ rcloneUrl: ['a=http://h:1', 'a=http://h:2'] }, {}, cwd)).message).toMatch(/two rclone instances are named "a"/);
  });
});

describe('service-account quota', () => {
  it('defaults to the fork’s 750 GiB and takes an explicit unit', () => {
    const cwd = dir();
    expect(loadConfig({}, {}, cwd).saQuota).toMatchObject({ bytesPerAccount: 805306368000, label: '750 GiB', unit: 'GiB' });
    expect(loadConfig({ saQuota: '750GB' }, {}, cwd).saQuota).toMatchObject({ bytesPerAccount: 750e9, label: '750 GB', unit: 'GB', from: '--sa-quota' });
    expect(errorOf(() => loadConfig({}, { PLOWBOARD_SA_QUOTA: '750' }, cwd)).message).toMatch(/^environment PLOWBOARD_SA_QUOTA: must be an amount with a unit/);
  });
});

describe('the settings table', () => {
  it('makes flags that commander hands over under the names the loader reads', async () => {
    const { Command } = await import('commander');
    const { withRunningOptions, withServerOptions, withSourceOptions } = await import('../../sidecar/commands/options.js');
    const { SETTINGS } = await import('../../sidecar/config/settings.js');
    const cmd = withRunningOptions(withServerOptions(withSourceOptions(new Command('x'))));
    const made = cmd.options.map((o) => o.attributeName());
    expect(made.sort()).toEqual(Object.entries(SETTINGS).filter(([, s]) => 'arg' in s).map(([name]) => name).sort());
    cmd.exitOverride().parse(['--allowed-host', 'a', '--allowed-host', 'b,c', '--port', '1'], { from: 'user' });
    const cwd = dir();
    expect(loadConfig(cmd.opts(), {}, cwd)).toMatchObject({ port: 1, serve: { allowedHosts: ['a', 'b', 'c'] } });
  });
});
