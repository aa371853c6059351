import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface RcloneRcOptions {
  bin: string;
  /** host:port for --rc-addr: every run uses the same one, as cloudplow's --rc-addr does. */
  addr: string;
  user: string;
  pass: string;
  config: string;
  bwlimit: string;
  transfers: number;
  /** Each line rclone prints (stderr), as cloudplow reads rclone's output. */
  onLine: (line: string) => void;
}

/**
 * One `rclone rcd` run: cloudplow starts a new rclone for each SA, and so does the demo.
 * The RC user and password go in rclone's environment (RCLONE_RC_USER / RCLONE_RC_PASS),
 * not its command line, so they are not in `ps` or /proc/<pid>/cmdline.
 */
export class RcloneRun {
  private proc: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly opts: RcloneRcOptions) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get url(): string {
    return `http://${this.opts.addr}`;
  }

  async start(timeoutMs = 15_000): Promise<void> {
    const o = this.opts;
    const proc = spawn(
      o.bin,
      ['rcd', `--rc-addr=${o.addr}`, `--config=${o.config}`, `--transfers=${o.transfers}`, `--bwlimit=${o.bwlimit}`, '--retries=1', '--low-level-retries=2', '--stats=60s', '--log-level=INFO'],
      // Its own process group: Ctrl-C in the terminal reaches the demo, which then ends rclone itself, in order,
      // instead of rclone dying under the upload it is part of.
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, RCLONE_RC_USER: o.user, RCLONE_RC_PASS: o.pass }, detached: true },
    );
    this.proc = proc;
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    let early = '';
    createInterface({ input: proc.stderr! }).on('line', (line) => {
      if (early.length < 2000) early += `${line}\n`;
      // rclone says which user it serves as (with the password masked): not for cloudplow's log either way.
      if (!line.includes('--pass')) o.onLine(line);
    });
    const failed = new Promise<never>((_, reject) => {
      proc.once('error', (err) => reject(new Error(`${o.bin} did not start: ${err.message}`)));
      proc.once('exit', (code, signal) => reject(new Error(`rclone rcd exited (${code ?? signal}): ${early.trim() || 'no output'}`)));
    });
    failed.catch(() => {});
    const deadline = Date.now() + timeoutMs;
    const ready = (async () => {
      for (;;) {
        const r = await this.rc('rc/noop').catch(() => null);
        if (r) return;
        if (Date.now() > deadline) throw new Error(`rclone rcd did not answer on ${o.addr} within ${timeoutMs / 1000} s`);
        await new Promise((res) => setTimeout(res, 100));
      }
    })();
    await Promise.race([ready, failed]);
  }

  /** One RC call; throws on a refused call or an rclone error, with rclone's message. */
  async rc<T = Record<string, unknown>>(method: string, input: Record<string, unknown> = {}): Promise<T> {
    const res = await fetch(`${this.url}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${this.opts.user}:${this.opts.pass}`).toString('base64')}` },
      body: JSON.stringify(input),
      signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json().catch(() => ({}))) as T & { error?: string };
    if (!res.ok) throw new Error(`rclone ${method}: HTTP ${res.status} ${body.error ?? ''}`.trim());
    return body;
  }

  /** Ends rclone the way cloudplow does when a trigger fires: process.kill(), i.e. SIGKILL. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await this.exited;
  }
}
