import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Health, Manifest } from '../../sidecar/contract/index.js';
import { freePort } from '../helpers/ports.js';
import { RcloneDaemon } from '../helpers/rclone.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { readJson, runCli } from '../helpers/sidecarProcess.js';

let work: string;
let rclone: RcloneDaemon;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-cli-'));
  rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
});
afterAll(async () => {
  await rclone?.stop();
});

const auth = () => ({ PLOWBOARD_RCLONE_USER: rclone.user, PLOWBOARD_RCLONE_PASS: rclone.pass });

describe('plowboard check', () => {
  it('reports a reachable rclone with its version and exits 0', async () => {
    const r = await runCli(['check', '--rclone-url', rclone.url, '--output', path.join(work, 'o1')], auth());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rclone\s+default\s+http:\/\/127\.0\.0\.1:\d+\s+ok\s+\d+ ms\s+rclone v1\./);
    expect(r.stdout).toMatch(/output .* writable/);
  });

  it('exits 0 when rclone is idle, and says what to do', async () => {
    const port = await freePort();
    const r = await runCli(['check', '--rclone-url', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('idle');
    expect(r.stdout).toContain('"--rc": null');
  });

  it('says auth failed for a wrong password and never prints it', async () => {
    const r = await runCli(['check', '--rclone-url', rclone.url], { PLOWBOARD_RCLONE_USER: 'plow', PLOWBOARD_RCLONE_PASS: 'nope-canary' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('AUTH FAILED');
    expect(r.stdout + r.stderr).not.toContain('nope-canary');
  });

  it('exits non-zero with one line naming the file and key for a bad configuration', async () => {
    const file = path.join(work, 'bad.json');
    writeFileSync(file, JSON.stringify({ interval: 'soon' }));
    const r = await runCli(['check', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toContain('interval');
  });

  it('reports every mistake of a configuration at once, one line each, and exits 2', async () => {
    const file = path.join(work, 'three-bad.json');
    writeFileSync(file, JSON.stringify({ interval: 0, prot: 1, transfersLimit: 'many' }));
    const r = await runCli(['check', '--config', file, '--log-lines', 'all']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^plowboard: configuration error: ${escape(file)}: interval: `)),
      `plowboard: configuration error: ${file}: prot: unknown setting`,
      expect.stringMatching(new RegExp(`^plowboard: configuration error: ${escape(file)}: transfersLimit: `)),
      'plowboard: configuration error: --log-lines: must be a whole number from 10 to 100000, not "all"',
    ]);
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('command line', () => {
  it('has --help for every command', async () => {
    for (const cmd of ['run', 'sidecar', 'build', 'serve', 'check']) {
      const r = await runCli([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toContain(`Usage: plowboard ${cmd}`);
    }
  });

  it('refuses unknown flags and unknown commands', async () => {
    const flag = await runCli(['build', '--colour']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--colour'/);
    const cmd = await runCli(['snapshott']);
    expect(cmd.code).toBe(2);
  });

  it('takes no password on the command line', async () => {
    const r = await runCli(['check', '--rclone-pass', 'x']);
    expect(r.code).toBe(2);
  });
});

describe('plowboard build', () => {
  it('reads every source once, writes valid data files and the site, and exits', async () => {
    const out = path.join(work, 'built');
    const r = await runCli(['build', '--rclone-url', rclone.url, '--output', out], auth());
    expect(r.code, r.stderr).toBe(0);
    expectValidOutput(out);
    const manifest = readJson<Manifest>(path.join(out, 'data', 'index.json'));
    expect(manifest.heartbeatSeconds).toBe(0);
    expect(manifest.files.map((f) => f.name).sort()).toEqual(
      ['accounts', 'badges', 'config', 'distribution', 'events', 'health', 'heartbeat', 'history-1h', 'history-48h', 'history-90d', 'live', 'logs', 'session', 'summary', 'transfers'],
    );
    expect(readJson<Health>(path.join(out, 'data', 'health.json')).sources.find((s) => s.kind === 'rclone')!.state).toBe('ok');
    expect(readdirSync(out)).toContain('index.html');
    // No temp files are left behind by the atomic writes.
    expect(readdirSync(path.join(out, 'data')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('exits 1 when the pages cannot be built, with the data files written all the same', async () => {
    const out = path.join(work, 'built-no-pages');
    mkdirSync(out, { recursive: true });
    // A file where the site's assets folder goes: the site build cannot write its scripts.
    writeFileSync(path.join(out, 'assets'), 'not a folder');
    const r = await runCli(['build', '--rclone-url', rclone.url, '--output', out], auth());
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/site build failed/);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(`plowboard: wrote the data files in ${out}, but not the pages (see the error above)`);
    expect(readJson<Health>(path.join(out, 'data', 'health.json')).sources.find((s) => s.kind === 'site')!.state).toBe('error');
  });
});
