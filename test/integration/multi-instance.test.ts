import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Health, HistoryRange, Live, Manifest } from '../../sidecar/contract/index.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { RcloneDaemon, rcloneBin, makeFiles } from '../helpers/rclone.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { filesContaining } from '../helpers/secrets.js';
import { SidecarProcess, cliPath, readJson } from '../helpers/sidecarProcess.js';

let work: string;
const hosts: RcloneDaemon[] = [];
const procs: SidecarProcess[] = [];
beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-multi-'));
  for (const name of ['hosta', 'hostb']) {
    const r = new RcloneDaemon(path.join(work, name));
    await r.start();
    hosts.push(r);
  }
});
afterAll(async () => {
  for (const p of procs) await p.stop();
  for (const h of hosts) await h.stop();
  rmSync(work, { recursive: true, force: true });
});

async function copyOn(host: RcloneDaemon, files: number): Promise<number> {
  const src = path.join(host.workDir, 'src');
  makeFiles(src, Array.from({ length: files }, (_, i) => [`f${i}.mkv`, 500_000] as [string, number]));
  await host.bwlimit('1M');
  return host.copy(src, path.join(host.workDir, 'dst'));
}

describe('several upload hosts', () => {
  it('one sidecar polls every rclone instance, each with its own credentials, and keeps them apart', async () => {
    const [a, b] = hosts as [RcloneDaemon, RcloneDaemon];
    const config = path.join(work, 'plowboard.json');
    // Each host its own password, from a file for one of them.
    writeFileSync(path.join(work, 'hostb.pass'), `${b.pass}\n`);
    writeFileSync(
      config,
      JSON.stringify({
        rclone: [
          { name: 'hosta', url: a.url, user: a.user, pass: a.pass },
          { name: 'hostb', url: b.url, user: b.user, passFile: path.join(work, 'hostb.pass') },
        ],
        interval: 0.5,
      }),
    );
    const out = path.join(work, 'out-one');
    const sidecar = new SidecarProcess(['sidecar', '--config', config, '--output', out, '--state-dir', path.join(work, 'state-one')]).start();
    procs.push(sidecar);
    const live = () => readJson<Live>(path.join(out, 'data', 'live.json'));
    // The first live.json comes after the site build, which on a busy machine can outlast the
    // uploads: start them once the sidecar watches both hosts.
    await waitFor('the sidecar polling both hosts', () => live().instances.filter((i) => i.state === 'ok').length === 2, 60_000);
    const [jobA, jobB] = [await copyOn(a, 8), await copyOn(b, 8)];

    const both = await waitFor('both hosts uploading', () => {
      const l = live();
      return l.instances.every((i) => i.state === 'ok' && i.inFlight > 0) ? l : null;
    }, 60_000);
    expect(both.instances.map((i) => i.name)).toEqual(['hosta', 'hostb']);
    expect(both.total.inFlight).toBe(both.instances[0]!.inFlight + both.instances[1]!.inFlight);
    expect(new Set(both.instances.flatMap((i) => i.transferring.map((t) => t.instance)))).toEqual(new Set(['hosta', 'hostb']));

    await Promise.all([a.waitJob(jobA), b.waitJob(jobB)]);
    await waitFor('a history series per instance', () => {
      const keys = readJson<HistoryRange>(path.join(out, 'data', 'history-1h.json')).series.map((s) => s.key);
      return ['total', 'instance:hosta', 'instance:hostb'].every((k) => keys.includes(k));
    }, 20_000);
    expect(readFileSync(path.join(out, 'metrics.prom'), 'utf8')).toMatch(/plowboard_transfers_in_flight\{instance="hostb"\}/);

    // One host's upload ends: it goes idle, the other is untouched.
    await b.stop();
    await waitFor('hostb idle, hosta still ok', () => {
      const h = readJson<Health>(path.join(out, 'data', 'health.json'));
      const state = (id: string) => h.sources.find((s) => s.id === id)!.state;
      return state('rclone:hostb') === 'idle' && state('rclone:hosta') === 'ok';
    });
    expect(filesContaining(out, a.pass)).toEqual([]);
    expect(filesContaining(out, b.pass)).toEqual([]);
    expectValidOutput(out);
    await b.start(b.port);
  });

  it('or one sidecar per host, each publishing its output with rclone sync to shared storage, served from there under a path per host', async () => {
    const shared = path.join(work, 'shared');
    for (const host of hosts) {
      const out = path.join(work, `out-${path.basename(host.workDir)}`);
      // A one-off build stands in for each host's sidecar: the same files, written once.
      const r = spawnSync(process.execPath, [cliPath, 'build', '--rclone-url', host.url, '--output', out, '--state-dir', `${out}-state`], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PLOWBOARD_RCLONE_USER: host.user, PLOWBOARD_RCLONE_PASS: host.pass, PLOWBOARD_PROC_ROOT: '', PLOWBOARD_SYSTEMD_DIRS: '' },
        encoding: 'utf8',
        cwd: work,
      });
      expect(r.status, r.stderr).toBe(0);
      // What the README tells each host to run after every change (or on a timer).
      const sync = spawnSync(rcloneBin(), ['sync', out, path.join(shared, path.basename(host.workDir)), '--config', '/dev/null'], { encoding: 'utf8' });
      expect(sync.status, sync.stderr).toBe(0);
    }
    const port = await freePort();
    const server = new SidecarProcess(['serve', '--output', shared, '--port', String(port)]).start();
    procs.push(server);
    const base = `http://127.0.0.1:${port}`;
    await waitFor('the server', () => fetch(`${base}/hosta/`).then((r) => r.ok, () => false));
    for (const host of ['hosta', 'hostb']) {
      const page = await (await fetch(`${base}/${host}/`)).text();
      // The pages link relative to themselves, so they work under any path.
      const assets = [...page.matchAll(/(?:src|href)="([^"#]+)"/g)].map((m) => m[1]!).filter((u) => /(^|\/)(assets|data)\//.test(u));
      expect(assets.length).toBeGreaterThanOrEqual(3);
      for (const asset of assets) {
        expect(asset.startsWith('/'), asset).toBe(false);
        expect((await fetch(new URL(asset, `${base}/${host}/`))).status, asset).toBe(200);
      }
      const manifest = (await (await fetch(`${base}/${host}/data/index.json`)).json()) as Manifest;
      expect(manifest.files.find((f) => f.name === 'live')!.changedAt).not.toBeNull();
      expectValidOutput(path.join(shared, host));
    }
  });
});
