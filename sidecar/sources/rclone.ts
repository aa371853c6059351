import type { Agent } from 'undici';
import type { RcloneInstance } from '../config/schema.js';
import type { Transfer } from '../contract/index.js';
import { normalizeStats, type RcloneStats } from '../normalize/rcloneStats.js';
import { normalizeTransferred } from '../normalize/rcloneTransferred.js';
import { asArray, asObject, asString } from '../normalize/coerce.js';
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
  /** The rclone process's id (job/list, 1.64+), on the polls that asked for it; null otherwise. */
  executeId: string | null;
  /** rclone's version as [major, minor, patch], once known. */
  version: readonly number[] | null;
}

export interface RcloneSourceOptions {
  intervalMs: number;
  /** While rclone moves nothing and `mayRest` says no upload can start unheard; absent: always `intervalMs`. */
  idleIntervalMs?: number;
  /** True when an upload's start would be heard (and `wake()` called), and none is under way. */
  mayRest?: () => boolean;
  maxBackoffMs: number;
  timeoutMs: number;
  onPoll: (poll: RclonePoll) => void;
}

/** Even when core/stats shows no transfer ending, core/transferred is read this often. */
const TRANSFERRED_REFRESH_MS = 30_000;

/**
 * Polls one rclone RC instance: core/stats each cycle, core/transferred when a transfer
 * ended, core/version once per connection. Polls never overlap; the loop backs off while
 * rclone is down.
 */
export class RcloneSource {
  readonly status: SourceStatus;
  private readonly dispatcher: Agent;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private failures = 0;
  private needVersion = true;
  private version: readonly number[] | null = null;
  /** job/list is refused (403) by rclone 1.74+ without RC auth: not asked again until rclone restarts. */
  private jobListRefused = false;
  private lastCounters: { bytes: number; elapsedTime: number } | null = null;
  /** A file will finish before the next poll: rclone may exit right after it (cloudplow ends it then). */
  private endingSoon = false;
  /** What core/stats said when core/transferred was last read; null: read it on the next poll. */
  private transferredKey: string | null = null;
  private transferredAt = 0;
  /** The last poll found nothing moving: no transfer, no check, or nothing listening. */
  private atRest = false;
  /** The poll now waited for is an idle interval away: only then does wake() bring it forward. */
  private resting = false;

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
    let stats = await this.call('core/stats');
    // A loaded machine (a Pi mid-upload, Chromium on the same two cores) can hold one answer
    // past the timeout: an rclone that answered last time is asked once more before it is
    // shown unreachable, rather than flickering the dashboard and the events for one late reply.
    if (stats.kind === 'unreachable' && stats.timedOut && this.status.current === 'ok') stats = await this.call('core/stats');
    if (stats.kind !== 'ok') {
      this.endingSoon = false;
      this.needVersion = true;
      this.jobListRefused = false;
      this.transferredKey = null;
      // A refused connection costs nothing and is how rclone looks between uploads: keep
      // polling every interval, so an upload that starts shows within one. Only hosts that
      // hang or fail are backed off.
      this.failures = stats.kind === 'idle' ? 0 : this.failures + 1;
      this.atRest = stats.kind === 'idle';
      this.status.fail(stats.kind, stats.message, { latencyMs: stats.latencyMs, hint: rcloneHint(stats.kind, this.instance.url), now: at });
      return this.emit({ instance: this.instance.name, at, stats: null, transferred: [], executeId: null, version: this.version });
    }
    const newConnection = this.needVersion;
    if (this.needVersion) await this.readVersion();
    const normalized = normalizeStats(stats.body, this.instance.name);
    if (!normalized) {
      this.failures++;
      this.transferredKey = null;
      this.status.fail('error', 'core/stats did not answer a JSON object', { latencyMs: stats.latencyMs, hint: rcloneHint('error', this.instance.url), now: at });
      return this.emit({ instance: this.instance.name, at, stats: null, transferred: [], executeId: null, version: this.version });
    }
    this.failures = 0;
    this.atRest = normalized.transferring.length === 0 && normalized.checking.length === 0;
    this.status.ok(stats.latencyMs, at);
    // The process id is asked for only where it decides something: on a new connection,
    // and when the counters went back (a new rclone, or a reset of the same one).
    const prev = this.lastCounters;
    const wentBack = prev !== null && (normalized.bytes < prev.bytes || normalized.elapsedTime < prev.elapsedTime);
    this.lastCounters = { bytes: normalized.bytes, elapsedTime: normalized.elapsedTime };
    const intervalSeconds = this.opts.intervalMs / 1000;
    this.endingSoon = normalized.transferring.some((t) => t.size !== null && t.speedAvg > 0 && (t.size - t.bytes) / t.speedAvg < intervalSeconds);
    if (wentBack) this.jobListRefused = false;
    const executeId = newConnection || wentBack ? await this.readExecuteId() : null;
    const list = await this.transferredSince(normalized, at.getTime());
    return this.emit({ instance: this.instance.name, at, stats: normalized, transferred: list, executeId, version: this.version });
  }

  private async readVersion(): Promise<void> {
    const answer = await this.call('core/version');
    if (answer.kind !== 'ok') return;
    const v = asObject(answer.body);
    const decomposed = asArray(v?.decomposed).filter((n): n is number => typeof n === 'number');
    this.version = decomposed.length >= 2 ? decomposed : null;
    const platform = [
      [asString(v?.os), asString(v?.arch)].filter(Boolean).join('/'),
      asString(v?.osVersion),
      asString(v?.osKernel) ? `kernel ${asString(v?.osKernel)}` : null,
    ].filter((p): p is string => !!p);
    this.status.setVersion(asString(v?.version) ?? undefined, platform.join(' · ') || undefined);
    this.needVersion = false;
  }

  /** job/list's executeId (rclone 1.64+), which changes with every new rclone process. */
  private async readExecuteId(): Promise<string | null> {
    const [major = 0, minor = 0] = this.version ?? [];
    if (this.jobListRefused || (this.version && major === 1 && minor < 64)) return null;
    const answer = await this.call('job/list');
    if (answer.kind === 'auth_required') {
      this.jobListRefused = true;
      this.status.note(
        'job/list',
        'rclone refuses job/list without a user on its remote control (1.74+): restarts are told from its counters alone. ' +
          'Setting --rc-user and --rc-pass (or --rc-no-auth) lets plowboard tell a restart from a counter reset for certain.',
      );
      return null;
    }
    if (answer.kind !== 'ok') return null;
    this.status.note('job/list', null);
    return asString(asObject(answer.body)?.executeId);
  }

  /**
   * core/transferred only changes when a transfer ends, and every end shows in core/stats
   * first: a counter moves or a name leaves the in-flight list. Asking only then halves the
   * requests of an idle rclone. A failure counted only in a job's group moves neither
   * counter, and a file that came and went between two polls was never in the list: the
   * periodic ask catches those, long before rclone's list of 100 rolls over.
   */
  private async transferredSince(stats: RcloneStats, atMs: number): Promise<Transfer[]> {
    const key = `${stats.transfers}/${stats.errors}/${stats.checks}/${stats.transferring.map((t) => t.name).join('\0')}`;
    if (key === this.transferredKey && atMs - this.transferredAt < TRANSFERRED_REFRESH_MS) return [];
    const transferred = await this.call('core/transferred');
    // A failed core/transferred alone does not make the source bad: the live view still holds.
    if (transferred.kind !== 'ok') {
      this.transferredKey = null;
      return [];
    }
    this.transferredKey = key;
    this.transferredAt = atMs;
    return normalizeTransferred(transferred.body, this.instance.name);
  }

  /**
   * Moving: every interval. At rest between uploads: the idle interval, when an upload's
   * start would be heard. Failing: doubling from the interval up to maxBackoff.
   */
  nextDelayMs(): number {
    // Near a file's end the poll comes sooner, so its record is read before rclone can exit.
    if (this.failures === 0 && this.endingSoon) return Math.min(this.opts.intervalMs, Math.max(250, this.opts.intervalMs / 4));
    if (this.failures === 0 && this.atRest && this.opts.idleIntervalMs && this.opts.mayRest?.()) return this.opts.idleIntervalMs;
    if (this.failures === 0) return this.opts.intervalMs;
    return Math.min(this.opts.maxBackoffMs, this.opts.intervalMs * 2 ** Math.min(this.failures, 16));
  }

  /**
   * An upload may be starting (cloudplow's log moved): poll now rather than at the end of an
   * idle interval. Moving already, or a poll under way: nothing to bring forward.
   */
  wake(): void {
    if (this.stopped || !this.timer || !this.resting) return;
    this.resting = false;
    clearTimeout(this.timer);
    this.timer = null;
    this.schedule(0);
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
          const delay = this.nextDelayMs();
          this.resting = this.failures === 0 && delay > this.opts.intervalMs;
          this.schedule(delay);
        });
    }, delayMs);
  }
}
