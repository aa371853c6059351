import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, waitFor } from './ports.js';
import { rcloneBin } from './rcloneVersion.js';

export { rcloneBin, rcloneUnderTest, type RcloneVersion } from './rcloneVersion.js';

/**
 * A real `rclone rcd` on loopback, with basic auth. The binary comes from the vitest project
 * (PLOWBOARD_TEST_RCLONE): every test that drives rclone runs once per rclone version.
 */
export class RcloneDaemon {
  proc: ChildProcess | null = null;
  port = 0;
  readonly user = 'plow';
  readonly pass = 'board-secret-pass';

  /** `auth: false` runs the RC with no user, as cloudplow's own `--rc` does. */
  constructor(
    readonly workDir: string,
    readonly opts: { auth?: boolean } = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port?: number): Promise<void> {
    if (port) this.port = port;
    if (!this.port) this.port = await freePort();
    mkdirSync(this.workDir, { recursive: true });
    const conf = path.join(this.workDir, 'rclone.conf');
    writeFileSync(conf, '');
    // --transfers=8 as in cloudplow's sample rclone_extras, so as many files are in flight as on a real upload.
    this.proc = spawn(
      rcloneBin(),
      [
        'rcd',
        `--rc-addr=127.0.0.1:${this.port}`,
        ...(this.opts.auth === false ? [] : [`--rc-user=${this.user}`, `--rc-pass=${this.pass}`]),
        `--config=${conf}`,
        '--transfers=8',
        '--log-level=ERROR',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const stderr: string[] = [];
    this.proc.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
    // A missing binary or a port already taken ends the wait at once, in rclone's own words, not as a timeout.
    const ended = new Promise<never>((_, reject) => {
      const fail = (why: string) => reject(new Error(`${rcloneBin()} rcd on ${this.port} ${why}: ${stderr.join('').trim() || 'no output'}`));
      this.proc!.once('error', (err) => fail(`did not start (${err.message})`));
      this.proc!.once('exit', (code, signal) => fail(`exited (${code ?? signal})`));
    });
    ended.catch(() => {});
    await Promise.race([waitFor(`${rcloneBin()} rcd on ${this.port}`, async () => (await this.rc('rc/noop')).ok), ended]);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }

  async rc(method: string, input: Record<string, unknown> = {}, auth = true): Promise<{ ok: boolean; status: number; body: unknown }> {
    try {
      const res = await fetch(`${this.url}/${method}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(auth ? { authorization: `Basic ${Buffer.from(`${this.user}:${this.pass}`).toString('base64')}` } : {}),
        },
        body: JSON.stringify(input),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* 401 is text/plain */
      }
      return { ok: res.ok, status: res.status, body };
    } catch {
      return { ok: false, status: 0, body: null };
    }
  }

  async bwlimit(rate: string): Promise<void> {
    const r = await this.rc('core/bwlimit', { rate });
    if (!r.ok) throw new Error(`bwlimit failed: ${JSON.stringify(r.body)}`);
  }

  /** Starts an async copy between two local folders; returns rclone's job id. */
  async copy(src: string, dst: string): Promise<number> {
    const r = await this.rc('sync/copy', { srcFs: src, dstFs: dst, _async: true });
    if (!r.ok) throw new Error(`sync/copy failed: ${JSON.stringify(r.body)}`);
    return (r.body as { jobid: number }).jobid;
  }

  /**
   * Starts an async move, as cloudplow uploads (`rclone move`); returns rclone's job id.
   * To a remote that cannot move server-side rclone copies then deletes each file.
   */
  async move(src: string, dst: string): Promise<number> {
    const r = await this.rc('sync/move', { srcFs: src, dstFs: dst, _async: true });
    if (!r.ok) throw new Error(`sync/move failed: ${JSON.stringify(r.body)}`);
    return (r.body as { jobid: number }).jobid;
  }

  async waitJob(jobid: number, timeoutMs = 60_000): Promise<{ success: boolean; error: string }> {
    return waitFor(
      `job ${jobid}`,
      async () => {
        const r = await this.rc('job/status', { jobid });
        const b = r.body as { finished?: boolean; success: boolean; error: string };
        return r.ok && b.finished ? b : null;
      },
      timeoutMs,
      200,
    );
  }
}

/** Files of the given sizes, with random-ish content so nothing compresses or dedupes. */
export function makeFiles(dir: string, files: Array<[name: string, size: number]>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, size] of files) {
    const buf = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4096) buf.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(path.join(dir, name), buf);
  }
}
