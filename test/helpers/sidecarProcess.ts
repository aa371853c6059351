import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WAIT_CEILING_MS } from './ports.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliPath = path.join(repoRoot, 'bin', 'plowboard.js');

/**
 * Tests run real cloudplows side by side: a plowboard that went looking in /proc or
 * systemd would adopt another test's. Tests that want discovery set these themselves.
 */
const NO_DISCOVERY = { PLOWBOARD_PROC_ROOT: '', PLOWBOARD_SYSTEMD_DIRS: '' };

/** Each run starts in a fresh folder, so defaults such as ./state never land in the repository. */
const freshCwd = () => mkdtempSync(path.join(tmpdir(), 'plowboard-cwd-'));

/** The real CLI in a child process, as a user runs it. */
export class SidecarProcess {
  proc: ChildProcess | null = null;
  stderr = '';
  stdout = '';

  constructor(
    readonly args: string[],
    readonly env: Record<string, string> = {},
    readonly cwd: string = freshCwd(),
    /** Node's own flags, before the CLI (those NODE_OPTIONS refuses, such as --cpu-prof). */
    readonly nodeArgs: string[] = [],
  ) {}

  start(): this {
    this.proc = spawn(process.execPath, [...this.nodeArgs, cliPath, ...this.args], {
      cwd: this.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...NO_DISCOVERY, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    return this;
  }

  get running(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const p = this.proc;
    if (!p) return null;
    if (p.exitCode !== null || p.signalCode !== null) return p.exitCode;
    return new Promise((resolve) => {
      p.once('exit', (code) => resolve(code));
      p.kill(signal);
    });
  }
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000, cwd = freshCwd()): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [cliPath, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...NO_DISCOVERY, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`plowboard ${args.join(' ')} did not finish in ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function readJson<T = any>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** A sidecar reading one cloudplow installation (rclone not running), with its own output and state folders. */
export async function sidecarOnCloudplow(cloudplowConfig: string, extra: string[] = [], rclone?: { url: string; user: string; pass: string }, env: Record<string, string> = {}) {
  const out = mkdtempSync(path.join(tmpdir(), 'plowboard-out-'));
  const port = await new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
  const args = ['sidecar', '--cloudplow-config', cloudplowConfig, '--rclone-url', rclone?.url ?? `http://127.0.0.1:${port}`, '--output', out, '--state-dir', `${out}-state`, '--interval', '0.5', ...extra];
  const proc = new SidecarProcess(args, { ...(rclone ? { PLOWBOARD_RCLONE_USER: rclone.user, PLOWBOARD_RCLONE_PASS: rclone.pass } : {}), ...env }).start();
  const data = <T = any>(name: string) => readJson<T>(path.join(out, 'data', `${name}.json`));
  // The first data comes after the site build: on a loaded machine that takes many times its quiet second.
  const deadline = Date.now() + WAIT_CEILING_MS;
  while (!existsSync(path.join(out, 'data', 'index.json'))) {
    if (Date.now() > deadline || !proc.running) throw new Error(`the sidecar wrote no data: ${proc.stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async () => {
    await proc.stop();
    rmSync(out, { recursive: true, force: true });
    rmSync(`${out}-state`, { recursive: true, force: true });
  };
  return { out, proc, data, stop };
}
