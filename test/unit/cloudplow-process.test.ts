import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCloudplowArgv } from '../../sidecar/config/cloudplowLaunch.js';
import { findCloudplowProcesses } from '../../sidecar/config/cloudplowProcess.js';
import { waitFor } from '../helpers/ports.js';

/** A /proc look-alike: one folder per pid with cmdline (NUL-separated), a cwd link and environ. */
function fakeProc(procs: Record<string, { argv?: string[]; cwd?: string; environ?: string[] }>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'plowboard-proc-'));
  mkdirSync(path.join(root, 'self'));
  writeFileSync(path.join(root, 'uptime'), '1 1');
  for (const [pid, p] of Object.entries(procs)) {
    const dir = path.join(root, pid);
    mkdirSync(dir);
    if (p.argv) writeFileSync(path.join(dir, 'cmdline'), p.argv.map((a) => `${a}\0`).join(''));
    if (p.cwd) symlinkSync(p.cwd, path.join(dir, 'cwd'));
    if (p.environ) writeFileSync(path.join(dir, 'environ'), p.environ.map((e) => `${e}\0`).join(''));
  }
  return root;
}

describe("a running cloudplow's command line", () => {
  it('takes --config, --logfile and --cachefile in both spellings, and the folder of cloudplow.py', () => {
    const l = parseCloudplowArgv(['/usr/bin/python3', '/opt/cp/cloudplow.py', 'run', '--config=/etc/cp/config.json', '--logfile', '/var/log/cp.log', '--cachefile=/var/cache/cp.db', '--loglevel=INFO'], '/')!;
    expect(l.script).toBe('/opt/cp/cloudplow.py');
    expect(l.paths).toEqual({
      config: { path: '/etc/cp/config.json', by: '--config' },
      logfile: { path: '/var/log/cp.log', by: '--logfile' },
      cachefile: { path: '/var/cache/cp.db', by: '--cachefile' },
    });
  });

  it('resolves relative paths against the folder the process runs in', () => {
    const l = parseCloudplowArgv(['python3', '-u', 'cloudplow.py', '--config', '../conf/config.json', 'upload'], '/srv/cloudplow')!;
    expect(l.script).toBe('/srv/cloudplow/cloudplow.py');
    expect(l.paths.config).toEqual({ path: '/srv/conf/config.json', by: '--config' });
  });

  it('falls back to its CLOUDPLOW_* variables, as cloudplow does, and lets the command line win', () => {
    const l = parseCloudplowArgv(['python3', '/opt/cp/cloudplow.py', '--logfile=/a.log', 'run'], '/', { CLOUDPLOW_LOGFILE: '/b.log', CLOUDPLOW_CACHEFILE: 'rel/cache.db' })!;
    expect(l.paths.logfile).toEqual({ path: '/a.log', by: '--logfile' });
    expect(l.paths.cachefile).toEqual({ path: '/rel/cache.db', by: 'CLOUDPLOW_CACHEFILE' });
  });

  it('treats a bare --logfile (nargs="?") as the default, and ignores what is not python running cloudplow.py', () => {
    expect(parseCloudplowArgv(['python3', '/opt/cp/cloudplow.py', '--logfile', '--loglevel', 'DEBUG'], '/')!.paths.logfile).toBeUndefined();
    expect(parseCloudplowArgv(['vim', '/opt/cp/cloudplow.py'], '/')).toBeNull();
    // sudo's own process would be a second copy of the python it starts.
    expect(parseCloudplowArgv(['sudo', '-u', 'seed', 'python3', '/opt/cp/cloudplow.py'], '/')).toBeNull();
    expect(parseCloudplowArgv(['/usr/bin/env', 'python3', '/opt/cp/cloudplow.py'], '/')!.script).toBe('/opt/cp/cloudplow.py');
    expect(parseCloudplowArgv(['/usr/local/bin/python3.11', '-u', '/opt/cp/cloudplow.py'], '/')!.script).toBe('/opt/cp/cloudplow.py');
    expect(parseCloudplowArgv(['python3', '/opt/cp/other.py', '--config', '/x'], '/')).toBeNull();
    // Run by its shebang: the kernel still shows the interpreter, but argv[0] may be the script itself.
    expect(parseCloudplowArgv(['/opt/cp/cloudplow.py', 'run'], '/')!.script).toBe('/opt/cp/cloudplow.py');
  });

  it('leaves out relative paths when the process folder cannot be read', () => {
    expect(parseCloudplowArgv(['python3', 'cloudplow.py'], null)).toBeNull();
    const l = parseCloudplowArgv(['python3', '/opt/cp/cloudplow.py', '--config', 'config.json', '--logfile', '/var/log/cp.log'], null)!;
    expect(Object.keys(l.paths)).toEqual(['logfile']);
  });
});

describe('cloudplow processes in /proc', () => {
  it('finds each python process running cloudplow.py, and skips the rest, vanished and unreadable ones included', () => {
    const app = mkdtempSync(path.join(tmpdir(), 'plowboard-app-'));
    const root = fakeProc({
      '4242': { argv: ['/usr/bin/python3', `${app}/cloudplow.py`, 'run', '--config', '/etc/cp/config.json'], cwd: '/', environ: ['HOME=/root', 'CLOUDPLOW_LOGFILE=/var/log/cloudplow.log', 'PLEX_TOKEN=secret'] },
      '77': { argv: ['python3', 'cloudplow.py', '--cachefile=cache/cp.db', 'upload'], cwd: app },
      // Ended between the listing and the read: its folder is there, its cmdline is not.
      '500': { cwd: '/' },
      // A zombie or kernel thread: an empty cmdline.
      '501': { argv: [] },
      '600': { argv: ['/usr/bin/rclone', 'move', '/mnt/local', 'gd:'], cwd: '/' },
      // Another user's process: cmdline is readable, cwd and environ are not.
      '700': { argv: ['/usr/bin/python3', '/home/other/cloudplow/cloudplow.py', '--logfile', 'rel.log', 'run'] },
    });
    const found = findCloudplowProcesses(root);
    expect(found.map((p) => p.pid)).toEqual([77, 700, 4242]);
    expect(found[0]).toMatchObject({ label: 'cloudplow process 77', script: path.join(app, 'cloudplow.py'), paths: { cachefile: { path: path.join(app, 'cache/cp.db'), by: '--cachefile' } } });
    expect(found[1]!.paths).toEqual({});
    expect(found[2]!.paths).toEqual({ config: { path: '/etc/cp/config.json', by: '--config' }, logfile: { path: '/var/log/cloudplow.log', by: 'CLOUDPLOW_LOGFILE' } });
    expect(JSON.stringify(found)).not.toContain('secret');
  });

  it('never throws: a /proc that is not there, or a cmdline that cannot be read, reads as nothing', () => {
    expect(findCloudplowProcesses('/nonexistent/proc')).toEqual([]);
    const root = fakeProc({ '9': { argv: ['python3', '/opt/cp/cloudplow.py'] } });
    if (process.getuid?.() !== 0) {
      chmodSync(path.join(root, '9', 'cmdline'), 0);
      expect(findCloudplowProcesses(root)).toEqual([]);
    } else {
      expect(findCloudplowProcesses(root).map((p) => p.pid)).toEqual([9]);
    }
  });

  it('reads the real /proc without throwing, and finds a cloudplow.py it started itself', async () => {
    const { spawn } = await import('node:child_process');
    const app = mkdtempSync(path.join(tmpdir(), 'plowboard-realproc-'));
    writeFileSync(path.join(app, 'cloudplow.py'), 'import time\ntime.sleep(60)\n');
    const p = spawn('python3', ['cloudplow.py', '--config', 'config.json', '--logfile=logs/cloudplow.log', 'run'], { cwd: app, stdio: 'ignore' });
    try {
      // Until python3 has exec'd, /proc shows the forked node: poll, never a fixed sleep (a loaded CI missed it at 300 ms).
      const mine = await waitFor('the started cloudplow.py in /proc', () => findCloudplowProcesses().find((f) => f.pid === p.pid), 20_000);
      expect(mine).toMatchObject({
        script: path.join(app, 'cloudplow.py'),
        paths: { config: { path: path.join(app, 'config.json'), by: '--config' }, logfile: { path: path.join(app, 'logs/cloudplow.log'), by: '--logfile' } },
      });
    } finally {
      p.kill();
    }
  });
});
