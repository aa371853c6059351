import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCloudplowUnits, parseUnit, splitCommand } from '../../sidecar/config/systemdUnit.js';
import { repoRoot } from '../helpers/sidecarProcess.js';

/** Upstream's own unit file when the vendored copy is beside the repository; else a unit shaped like it. */
const upstreamUnit = path.resolve(process.env.PLOWBOARD_VENDOR ?? path.join(repoRoot, '..', 'shared', 'vendor'), 'cloudplow-upstream', 'systemd', 'cloudplow.service');

describe("a systemd unit's ExecStart", () => {
  it("splits words the way systemd does: quotes group, a backslash escapes, quotes inside a word join it", () => {
    expect(splitCommand(`/usr/bin/python3 "/opt/my cloud/cloudplow.py" run --config='/etc/cloud plow/config.json' --logfile=/var/log/a\\ b.log`)).toEqual([
      '/usr/bin/python3',
      '/opt/my cloud/cloudplow.py',
      'run',
      '--config=/etc/cloud plow/config.json',
      '--logfile=/var/log/a b.log',
    ]);
    expect(splitCommand(`  a   ""  'b c'`)).toEqual(['a', '', 'b c']);
  });

  it('reads only [Service], joins continued lines, takes the last ExecStart, strips the -@+! prefixes and reads Environment', () => {
    const unit = parseUnit(`[Unit]
Description=ExecStart=/bin/false
[Service]
ExecStart=/usr/bin/python3 /old/cloudplow.py run
ExecStart=-/usr/bin/python3 /opt/cloudplow/cloudplow.py \\
  run --loglevel=INFO
WorkingDirectory=-/opt/cloudplow/
Environment="CLOUDPLOW_LOGFILE=/var/log/cloud plow.log" CLOUDPLOW_CACHEFILE=/var/cache/cp.db
# ExecStart=/nothing
`);
    expect(unit.execStart).toEqual(['/usr/bin/python3', '/opt/cloudplow/cloudplow.py', 'run', '--loglevel=INFO']);
    expect(unit.workingDirectory).toBe('/opt/cloudplow/');
    expect(unit.environment).toEqual({ CLOUDPLOW_LOGFILE: '/var/log/cloud plow.log', CLOUDPLOW_CACHEFILE: '/var/cache/cp.db' });
  });
});

describe('cloudplow units in the systemd folders', () => {
  const etc = () => mkdtempSync(path.join(tmpdir(), 'plowboard-etc-systemd-'));

  it("reads upstream's own unit: cloudplow.py's folder, and nothing told", () => {
    const dir = etc();
    const text = existsSync(upstreamUnit)
      ? readFileSync(upstreamUnit, 'utf8')
      : '[Service]\nWorkingDirectory=/opt/cloudplow/\nExecStart=/usr/bin/python3 /opt/cloudplow/cloudplow.py run --loglevel=INFO\n';
    writeFileSync(path.join(dir, 'cloudplow.service'), text);
    writeFileSync(path.join(dir, 'sshd.service'), '[Service]\nExecStart=/usr/sbin/sshd -D\n');
    expect(findCloudplowUnits([dir])).toEqual([{ label: `systemd unit ${path.join(dir, 'cloudplow.service')}`, script: '/opt/cloudplow/cloudplow.py', paths: {} }]);
  });

  it('resolves a relative script and relative flags against WorkingDirectory, and lets /etc override /lib', () => {
    const [e, lib] = [etc(), etc()];
    writeFileSync(
      path.join(e, 'cloudplow.service'),
      `[Service]\nWorkingDirectory=/srv/cp\nExecStart=/usr/bin/env python3 cloudplow.py run "--config=../conf/config.json" --cachefile 'state/cache.db'\n`,
    );
    writeFileSync(path.join(lib, 'cloudplow.service'), '[Service]\nExecStart=/usr/bin/python3 /lib-copy/cloudplow.py run\n');
    mkdirSync(path.join(lib, 'not-a-unit.service'));
    const units = findCloudplowUnits([e, lib, '/nonexistent/systemd']);
    expect(units).toHaveLength(1);
    expect(units[0]).toMatchObject({
      script: '/srv/cp/cloudplow.py',
      paths: { config: { path: '/srv/conf/config.json', by: '--config' }, cachefile: { path: '/srv/cp/state/cache.db', by: '--cachefile' } },
    });
  });

  it('runs in / without WorkingDirectory, and cannot place a relative path under "~"', () => {
    const dir = etc();
    writeFileSync(path.join(dir, 'a.service'), '[Service]\nExecStart=/usr/bin/python3 /opt/cp/cloudplow.py --logfile cp.log run\n');
    writeFileSync(path.join(dir, 'b.service'), '[Service]\nWorkingDirectory=~\nExecStart=/usr/bin/python3 /opt/cp2/cloudplow.py --logfile cp.log run\n');
    const [a, b] = findCloudplowUnits([dir]);
    expect(a!.paths.logfile!.path).toBe('/cp.log');
    expect(b!.paths.logfile).toBeUndefined();
  });
});
