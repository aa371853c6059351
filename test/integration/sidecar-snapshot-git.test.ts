import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Health, SourceHealth } from '../../sidecar/contract/index.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { SidecarProcess, readJson, runCli } from '../helpers/sidecarProcess.js';

/**
 * `plowboard sidecar --snapshot-every 10s --snapshot-git PATH`: the real CLI pushing to a
 * bare repository whose pre-receive hook refuses at first, then lets it through.
 */

let work: string;
let bare: string;
let home: string;
let hook: string;
let sidecar: SidecarProcess;
let out: string;
let state: string;

const git = (...args: string[]) => execFileSync('git', args, { cwd: work, encoding: 'utf8', env: { ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: '1' } }).trim();

const snapshotSource = (): SourceHealth | undefined => {
  try {
    return readJson<Health>(path.join(out, 'data', 'health.json')).sources.find((s) => s.id === 'snapshot:git');
  } catch {
    return undefined; // Between two writes, or not written yet.
  }
};

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-sidecar-git-'));
  home = path.join(work, 'home');
  mkdirSync(home);
  bare = path.join(work, 'wiki.git');
  git('init', '--quiet', '--bare', '--initial-branch=main', bare);
  hook = path.join(bare, 'hooks', 'pre-receive');
  writeFileSync(hook, '#!/bin/sh\necho "maintenance" >&2\nexit 1\n');
  chmodSync(hook, 0o755);
  out = path.join(work, 'output');
  state = path.join(work, 'state');
  const port = await freePort();
  sidecar = new SidecarProcess(
    ['sidecar', '--rclone-url', `http://127.0.0.1:${port}`, '--output', out, '--state-dir', state, '--snapshot-every', '10s', '--snapshot-git', bare, '--snapshot-git-path', 'ops/uploads', '--snapshot-keep', '3'],
    { HOME: home, GIT_CONFIG_NOSYSTEM: '1' },
  ).start();
});

afterAll(async () => {
  await sidecar?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('plowboard sidecar --snapshot-every --snapshot-git', () => {
  it('says in health.json when the first snapshot comes', async () => {
    const s = await waitFor('the snapshot source in health.json', snapshotSource);
    expect(s.kind).toBe('snapshot');
    expect(s.target).toBe(`${bare} (ops/uploads)`);
    // Unless the first tick has already come and gone on a slow machine.
    if (s.state === 'idle') expect(s.hint).toMatch(/^the first snapshot is pushed at \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  });

  let kept: string;
  it('reports a push the repository refuses as an error with its reason, and keeps running', async () => {
    const s = await waitFor('a failed push in health.json', () => {
      const x = snapshotSource();
      return x?.state === 'error' ? x : undefined;
    });
    expect(s.lastError?.message).toMatch(/git push failed: .*maintenance.*pre-receive hook declined/);
    expect(s.hint).toMatch(/^the next snapshot, at .* UTC, tries again/);
    expect(sidecar.running).toBe(true);
    expect(() => git('--git-dir', bare, 'rev-parse', '--verify', '--quiet', 'refs/heads/main')).toThrow();
    // The commit waits in the clone in the state folder.
    const clone = path.join(state, 'git-wiki', readdirSync(path.join(state, 'git-wiki'))[0]!);
    kept = git('-C', clone, 'rev-parse', 'HEAD');
    expect(git('-C', clone, 'log', '-1', '--format=%s')).toMatch(/^plowboard snapshot \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  });

  it('pushes at the next tick once the repository takes it, the waiting commit with it', async () => {
    rmSync(hook);
    const s = await waitFor('a push in health.json', () => {
      const x = snapshotSource();
      return x?.state === 'ok' ? x : undefined;
    });
    expect(s.lastOkAt).not.toBeNull();
    // Nothing lost: the commit made while the repository refused is in its history.
    git('--git-dir', bare, 'merge-base', '--is-ancestor', kept, 'refs/heads/main');
    const tree = git('--git-dir', bare, 'ls-tree', '-r', '--name-only', 'main').split('\n');
    expect(tree).toContain('ops/uploads/latest.md');
    expect(tree.some((f) => /^ops\/uploads\/plowboard-[\dT-]+Z\.md$/.test(f))).toBe(true);
    expect(git('--git-dir', bare, 'log', '-1', '--format=%an', 'main')).toBe('plowboard');
  });

  it('stops cleanly', async () => {
    expect(await sidecar.stop()).toBe(0);
  });
});

describe('--snapshot-git settings', () => {
  it('refuses a URL with a password, from a flag or a variable, in one line that does not repeat it', async () => {
    const flag = await runCli(['sidecar', '--snapshot-git', 'https://ops:s3cretPassw0rd@git.example.lan/wiki.git']);
    expect(flag.code).toBe(2);
    expect(flag.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^plowboard: configuration error: --snapshot-git: refused: a password/)]);
    const env = await runCli(['sidecar'], { PLOWBOARD_SNAPSHOT_GIT: 'https://ops:s3cretPassw0rd@git.example.lan/wiki.git' });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/^plowboard: configuration error: environment PLOWBOARD_SNAPSHOT_GIT: refused: a password/);
    expect(flag.stderr + env.stderr).not.toContain('s3cretPassw0rd');
  });

  it('refuses an interval under 10 seconds', async () => {
    const r = await runCli(['sidecar', '--snapshot-git', bare, '--snapshot-every', '5s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--snapshot-every: must be a duration such as 1h, 30m or 1h30m, from 10s to 30d, not "5s"');
  });
});
