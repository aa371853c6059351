import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, waitFor } from './ports.js';

/** A real `rclone rcd` (Debian's rclone) on loopback, with basic auth, for copies between local folders. */
export class RcloneDaemon {
  proc: ChildProcess | null = null;
  port = 0;
  readonly user = 'plow';
  readonly pass = 'board-secret-pass';

  constructor(readonly workDir: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port?: number): Promise<void> {
    if (port) this.port = port;
    if (!this.port) this.port = await freePort();
    mkdirSync(this.workDir, { recursive: true });
    const conf = path.join(this.workDir, 'rclone.conf');
    writeFileSync(conf, '');
    this.proc = spawn(
      'rclone',
      ['rcd', `--rc-addr=127.0.0.1:${this.port}`, `--rc-user=${this.user}`, `--rc-pass=${this.pass}`, `--config=${conf}`, '--transfers=4', '--log-level=ERROR'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const stderr: string[] = [];
    this.proc.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
    await waitFor(`rclone rcd on ${this.port} (${stderr.join('')})`, async () => (await this.rc('rc/noop')).ok, 15_000);
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
