import type { Agent } from 'undici';
import type { RcloneInstance } from '../config/schema.js';
import type { Transfer } from '../contract/index.js';
import { normalizeStats, type RcloneStats } from '../normalize/rcloneStats.js';
import { normalizeTransferred } from '../normalize/rcloneTransferred.js';
import { asObject, asString } from '../normalize/coerce.js';
import { createDispatcher, rcCall, type RcOutcome } from './rcCall.js';
import { rcloneHint } from './rcloneHints.js';
import { SourceStatus } from './sourceStatus.js';

export interface RclonePoll {
  instance: string;
  at: Date;
  /** null whenever the instance did not answer core/stats. */
  stats: RcloneStats | null;
  /** rclone's list of recent completed transfers (bounded by rclone, usually 100). */
  transferred: Transfer[];
}

export interface RcloneSourceOptions {
  intervalMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
  onPoll: (poll: RclonePoll) => void;
}

/**
 * Polls one rclone RC instance: core/stats and core/transferred each cycle, core/version
 * once per connection. Polls never overlap; the loop backs off while rclone is down.
 */
export class RcloneSource {
  readonly status: SourceStatus;
  private readonly dispatcher: Agent;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private failures = 0;
  private needVersion = true;

  constructor(
    private readonly instance: RcloneInstance,
    private readonly opts: RcloneSourceOptions,
  ) {
    this.status = new SourceStatus(`rclone:${instance.name}`, 'rclone', instance.name, instance.url);
    this.dispatcher = createDispatcher(opts.timeoutMs);
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    await this.dispatcher.close().catch(() => {});
  }

  /** One cycle; safe to call directly (build, check) when the loop is not started. */
  async poll(): Promise<RclonePoll> {
    const at = new Date();
    const stats = await this.call('core/stats');
    if (stats.kind !== 'ok') {
      this.needVersion = true;
      // A refused connection costs nothing and is how rclone looks between uploads: keep
      // polling every interval, so an upload that starts shows within one. Only hosts that
      // hang or fail are backed off.
      this.failures = stats.kind === 'idle' ? 0 : this.failures + 1;
      this.status.fail(stats.kind, stats.message, { latencyMs: stats.latencyMs, hint: rcloneHint(stats.kind, this.instance.url), now: at });
      return this.emit({ instance: this.instance.name, at, stats: null, transferred: [] });
    }
    const transferred = await this.call('core/transferred');
    if (this.needVersion) {
      const version = await this.call('core/version');
      if (version.kind === 'ok') {
        this.status.setVersion(asString(asObject(version.body)?.version) ?? undefined);
        this.needVersion = false;
      }
    }
    const normalized = normalizeStats(stats.body, this.instance.name);
    if (!normalized) {
      this.failures++;
      this.status.fail('error', 'core/stats did not answer a JSON object', { latencyMs: stats.latencyMs, hint: rcloneHint('error', this.instance.url), now: at });
      return this.emit({ instance: this.instance.name, at, stats: null, transferred: [] });
    }
    this.failures = 0;
    this.status.ok(stats.latencyMs, at);
    // A failed core/transferred alone does not make the source bad: the live view still holds.
    const list = transferred.kind === 'ok' ? normalizeTransferred(transferred.body, this.instance.name) : [];
    return this.emit({ instance: this.instance.name, at, stats: normalized, transferred: list });
  }

  /** Active or idle: every interval. Failing: doubling from the interval up to maxBackoff. */
  nextDelayMs(): number {
    if (this.failures === 0) return this.opts.intervalMs;
    return Math.min(this.opts.maxBackoffMs, this.opts.intervalMs * 2 ** Math.min(this.failures, 16));
  }

  private call(method: string): Promise<RcOutcome> {
    return rcCall(this.instance, method, { dispatcher: this.dispatcher, timeoutMs: this.opts.timeoutMs });
  }

  private emit(poll: RclonePoll): RclonePoll {
    this.opts.onPoll(poll);
    return poll;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.poll()
        .then(
          () => {},
          // poll() reports its own failures; anything reaching here is a bug, kept visible.
          (err: unknown) => this.status.fail('error', `internal: ${err instanceof Error ? err.message : String(err)}`),
        )
        .finally(() => {
          this.running = null;
          this.schedule(this.nextDelayMs());
        });
    }, delayMs);
  }
}
