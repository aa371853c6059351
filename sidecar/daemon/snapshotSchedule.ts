import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { SnapshotGitSettings } from '../config/snapshotGit.js';
import { redact } from '../normalize/secrets.js';
import { projectRoot } from '../projectRoot.js';
import { SourceStatus } from '../sources/sourceStatus.js';

/**
 * `--snapshot-every` with `--snapshot-git`: a snapshot of the sidecar's own output folder,
 * pushed to a git wiki on a schedule. Each one is `plowboard snapshot --from … --git …` in
 * a child process: drawing the charts loads Vega, which a sidecar that runs for months
 * should not carry between snapshots. One at a time; a snapshot that failed waits in the
 * clone and goes with the next. Its outcome is a source in health.json, `snapshot:git`.
 */
export class SnapshotSchedule {
  readonly status: SourceStatus;
  private timer: NodeJS.Timeout | null = null;
  private child: ChildProcess | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly settings: SnapshotGitSettings,
    private readonly dirs: { output: string; stateDir: string },
    /** Called when the status changed: a publish, so health.json says it. */
    private readonly changed: () => void,
    private readonly log: (line: string) => void,
  ) {
    this.status = new SourceStatus('snapshot:git', 'snapshot', 'snapshots to git', `${redact(settings.repo)} (${settings.path})`);
  }

  start(): void {
    this.status.fail('idle', 'no snapshot yet', { hint: `the first snapshot is pushed at ${this.next()}` });
    this.timer = setInterval(() => void this.tick(), this.settings.everyMs);
  }

  /** Runs one snapshot now unless one is running. */
  tick(): Promise<void> {
    this.running ??= this.snapshot().finally(() => (this.running = null));
    return this.running;
  }

  /** No new snapshot; one under way is stopped (the clone keeps what it committed). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.child?.kill('SIGTERM');
    await this.running;
  }

  private async snapshot(): Promise<void> {
    const started = Date.now();
    const s = this.settings;
    const args = ['snapshot', '--from', this.dirs.output, '--git', s.repo, '--git-path', s.path, '--keep', String(s.keep), '--state-dir', this.dirs.stateDir];
    const { code, lines } = await this.runCli(args);
    if (this.timer === null && code !== 0) return; // Stopped while it ran: not a failure of the wiki's.
    if (code === 0) {
      this.status.ok(Date.now() - started);
    } else {
      const said = lines.reverse().find((l) => l.startsWith('plowboard: snapshot')) ?? `plowboard snapshot ended with exit code ${code}`;
      const message = said.replace(/^plowboard: snapshot: (git: )?/, '');
      this.status.fail('error', message, { hint: `the next snapshot, at ${this.next()}, tries again and pushes whatever is waiting` });
      this.log(`plowboard: snapshot to git failed: ${redact(message)}`);
    }
    this.changed();
  }

  private runCli(args: string[]): Promise<{ code: number | null; lines: string[] }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'plowboard.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      this.child = child;
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const done = (code: number | null, extra = '') => {
        this.child = null;
        resolve({ code, lines: `${stderr}${extra}`.split('\n').filter(Boolean) });
      };
      child.on('error', (err) => done(null, `plowboard: snapshot: could not start: ${err.message}`));
      child.on('close', (code) => done(code));
    });
  }

  /** `2026-12-07 14:00 UTC`: when the next tick comes. */
  private next(): string {
    return `${new Date(Date.now() + this.settings.everyMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  }
}
