import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Health, Live } from '../../sidecar/contract/index.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles, rcloneBin, rcloneUnderTest } from '../helpers/rclone.js';
import { SidecarProcess, readJson, runCli } from '../helpers/sidecarProcess.js';

/**
 * cloudplow's own `--rc` has no user. rclone 1.74+ then refuses job/list (403 with a JSON
 * error): that is not a refused password, the source stays ok, and health says what
 * works only in part and how to have all of it.
 */
const refusesJobList = () => {
  const [major, minor] = rcloneUnderTest().decomposed;
  return major > 1 || minor >= 74;
};

let work: string;
let out: string;
let port: number;
let sidecar: SidecarProcess;

const rcloneHealth = () => readJson<Health>(path.join(out, 'data', 'health.json')).sources.find((s) => s.kind === 'rclone')!;
const live = () => readJson<Live>(path.join(out, 'data', 'live.json'));

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-noauth-'));
  out = path.join(work, 'out');
  port = await freePort();
  sidecar = new SidecarProcess(['sidecar', '--rclone-url', `http://127.0.0.1:${port}`, '--output', out, '--state-dir', path.join(work, 'state'), '--interval', '0.5']).start();
  await waitFor('the sidecar', () => rcloneHealth().state === 'idle', 60_000);
}, 120_000);

afterAll(async () => {
  await sidecar?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('an rclone whose remote control has no user (cloudplow’s default)', () => {
  it('is read while `rclone move --rc` uploads, as cloudplow runs it, and names what needs an RC user', async () => {
    const src = path.join(work, 'upload');
    makeFiles(src, [['a.mkv', 2_000_000], ['b.mkv', 2_000_000]]);
    const conf = path.join(work, 'rclone.conf');
    writeFileSync(conf, '');
    const move = spawn(rcloneBin(), ['move', src, ':memory:bucket', '--rc', `--rc-addr=127.0.0.1:${port}`, '--bwlimit=1M', `--config=${conf}`, '--log-level=ERROR'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => move.once('exit', resolve));
    try {
      // live.json and health.json read together: the move may end between two separate reads.
      const { inst, h } = await waitFor('files in flight, and rclone ok in health.json', () => {
        const i = live().instances[0]!;
        const health = rcloneHealth();
        return i.state === 'ok' && i.inFlight > 0 && health.state === 'ok' ? { inst: i, h: health } : null;
      }, 30_000, 100);
      expect(inst.transferring.map((t) => t.name).sort()).toEqual(['a.mkv', 'b.mkv']);
      expect(h.state).toBe('ok');
      expect(h.version?.startsWith(`v${rcloneUnderTest().version}`)).toBe(true);
      if (refusesJobList()) {
        expect(h.notes?.join(' ')).toMatch(/job\/list.*--rc-user/);
        expect(h.platform).toMatch(/linux\/amd64 · .*kernel/);
      } else {
        expect(h.notes).toBeUndefined();
      }
    } finally {
      expect(await exited).toBe(0);
    }
    expect(readdirSync(src)).toEqual([]);
    await waitFor('idle again', () => rcloneHealth().state === 'idle', 30_000);
  }, 120_000);

  it('`plowboard check` says so in one line, and exits 0', async () => {
    const rcd = new RcloneDaemon(path.join(work, 'rcd'), { auth: false });
    await rcd.start();
    try {
      const r = await runCli(['check', '--rclone-url', rcd.url, '--output', path.join(work, 'check-out')]);
      expect(r.code, r.stderr).toBe(0);
      const line = r.stdout.split('\n').find((l) => l.startsWith('rclone'))!;
      expect(line).toMatch(/ ok /);
      expect(r.stdout.includes('note: rclone refuses job/list')).toBe(refusesJobList());
    } finally {
      await rcd.stop();
    }
  });
});
