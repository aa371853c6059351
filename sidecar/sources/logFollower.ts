import type { LogEvent, LogLine } from '../contract/index.js';
import { eventOf, parseLogLine } from '../normalize/cloudplowLog.js';
import { NO_CONTEXT, followRefusals, type Refusal, type SaContext } from '../normalize/saRefusals.js';
import { FileTail, TailMissing } from './fileTail.js';
import { readHint } from './readHint.js';
import { SourceStatus } from './sourceStatus.js';

const MiB = 1024 * 1024;
/** Session and limit events are few; copied files are many and must not push them out. */
const KEY_EVENTS_KEPT = 500;
const COPIED_EVENTS_KEPT = 200;
/** What a run is made of: kept from its start, however long it loops (the fork repeats stages for hours). */
const RUN_KINDS = new Set(['upload_started', 'sa_count', 'sa_chosen', 'sa_cycled', 'upload_finished', 'trigger_limit', 'uploader_suspended']);
/** An open run whose log went quiet this long is taken as ended (cloudplow killed mid-run leaves no "Finished upload"). */
const OPEN_RUN_QUIET_MS = 15 * 60_000;
/**
 * A line this recent means something may be moving even outside a run plowboard saw begin:
 * cloudplow relays rclone's own lines ("Copied (new)") into its log.
 */
const RECENT_LINE_MS = 30_000;
/** A run's events kept at most: each distinct one once, then the latest of each kind. */
const RUN_EVENTS_KEPT = 2000;
/** What the history counts per day: an SA change, a refusal by Google. */
const COUNTED_KINDS = new Set(['sa_cycled', 'trigger_hit']);
/** A whole log of refusals read at start is counted in full up to this many lines. */
const COUNTED_EVENTS_KEPT = 100_000;

/**
 * cloudplow.log, followed: the last `keep` lines parsed, and the events recognized in
 * them. The first read takes the whole current file (RotatingFileHandler keeps it under
 * 5 MiB) so that a session started hours ago is still found; after that, only what is new.
 */
export class LogFollower {
  readonly status: SourceStatus;
  private readonly tail: FileTail;
  private lines: LogLine[] = [];
  private keyEvents: LogEvent[] = [];
  private copied: LogEvent[] = [];
  /** The current run's events since its "Starting upload", each distinct one once: a long run never loses its beginning. */
  private run: LogEvent[] = [];
  private readonly runKeys = new Set<string>();
  /** Files rclone logged as copied since the last take; none from the first read, which is history from before plowboard watched. */
  private newlyCopied: LogEvent[] = [];
  /** SA changes and refusals read since the last take, the first read's too: the history counts each line once (state/countedLog.ts). */
  private newlyCounted: LogEvent[] = [];
  private firstReadDone = false;
  /** The SA the lines belong to, and the refusals (403s, bans) read since the last take, the first read's too: the store counts each line once. */
  private saContext: SaContext = NO_CONTEXT;
  private newlyRefused: Refusal[] = [];
  /** The log's last word on runs was "Starting upload", not "Finished upload". */
  private runOpen = false;
  /** Lines arrived since the last take (never counting the first read, which is history). */
  private linesArrived = false;
  /** When a line last arrived after the first read, by this host's clock: the log's own times may be in another zone. */
  private lineArrivedAtMs = 0;
  private lastLineAtMs: number | null = null;
  /** The last snapshot, kept until a line arrives: publishes outnumber new lines. */
  private view: ReturnType<LogFollower['snapshot']> | null = null;

  constructor(
    readonly file: string,
    private readonly keep: number,
  ) {
    this.status = new SourceStatus('cloudplow:log', 'cloudplow', 'cloudplow.log', file);
    this.tail = new FileTail(file, { initialBytes: 6 * MiB, maxReadBytes: 6 * MiB, maxLineBytes: 64 * 1024 });
  }

  /** Returns true when something new was read. */
  async read(): Promise<boolean> {
    const started = performance.now();
    try {
      const { lines, skippedBytes } = await this.tail.read();
      for (const raw of lines) this.add(parseLogLine(raw));
      this.firstReadDone = true;
      if (skippedBytes > 0) {
        this.status.fail('error', `${skippedBytes} bytes of log arrived at once and were skipped`, {
          hint: 'Only the newest part of a large burst is read; the lines shown are complete.',
        });
      } else {
        this.status.ok(performance.now() - started);
      }
      return lines.length > 0;
    } catch (err) {
      if (err instanceof TailMissing) {
        this.status.fail('missing', `${this.file} does not exist`, { hint: 'cloudplow writes it where --logfile or CLOUDPLOW_LOGFILE says, else beside cloudplow.py (Saltbox: beside config.json); `plowboard check` shows where plowboard looked and why. Set cloudplowPaths.log if it lives elsewhere.' });
      } else {
        const code = (err as NodeJS.ErrnoException).code;
        this.status.fail('error', `cannot read ${this.file}: ${code ?? (err as Error).message}`, { hint: readHint(code) });
      }
      return false;
    }
  }

  /** Whether new lines arrived since the last call: "Starting upload", or rclone's lines relayed. */
  takeLinesArrived(): boolean {
    const arrived = this.linesArrived;
    this.linesArrived = false;
    return arrived;
  }

  /** An upload run is open and its log still moving, or the log moved a moment ago. */
  runUnderWay(nowMs = Date.now()): boolean {
    const quietMs = nowMs - this.lineArrivedAtMs;
    return quietMs < RECENT_LINE_MS || (this.runOpen && quietMs < OPEN_RUN_QUIET_MS);
  }

  /** The copied-file events read since the last call. */
  takeCopied(): LogEvent[] {
    const taken = this.newlyCopied;
    this.newlyCopied = [];
    return taken;
  }

  /** The refusals read since the last call. */
  takeRefusals(): Refusal[] {
    const taken = this.newlyRefused;
    this.newlyRefused = [];
    return taken;
  }

  /** The SA-change and refusal events read since the last call. */
  takeCounted(): LogEvent[] {
    const taken = this.newlyCounted;
    this.newlyCounted = [];
    return taken;
  }

  snapshot(): { file: string; lines: readonly LogLine[]; events: readonly LogEvent[]; lastLineAtMs: number | null } {
    if (this.view) return this.view;
    // The lists grow to twice their size between trims, so that trimming is rare; the view is bounded.
    const keyEvents = this.keyEvents.slice(-KEY_EVENTS_KEPT);
    const events = [...new Set([...this.run, ...keyEvents, ...this.copied.slice(-COPIED_EVENTS_KEPT)])].sort((a, b) => (a.time ?? '').localeCompare(b.time ?? ''));
    this.view = { file: this.file, lines: this.lines.slice(-this.keep), events, lastLineAtMs: this.lastLineAtMs };
    return this.view;
  }

  private keepForRun(event: LogEvent): void {
    if (!RUN_KINDS.has(event.kind)) return;
    if (event.kind === 'upload_started' && event.uploader === null) {
      this.run = [];
      this.runKeys.clear();
    }
    const key = [event.kind, event.uploader, event.account, event.detail].join('\0');
    if (this.runKeys.has(key) || this.run.length >= RUN_EVENTS_KEPT) {
      // Seen before in this run: only the latest of its kind matters (the end, the SA in use); the window below has it.
      return;
    }
    this.runKeys.add(key);
    this.run.push(event);
  }

  private add(line: LogLine): void {
    this.view = null;
    // The first read is history: it says what the last run did, not that anything moves now.
    if (this.firstReadDone) {
      this.lineArrivedAtMs = Date.now();
      this.linesArrived = true;
    }
    this.lines.push(line);
    if (this.lines.length > this.keep * 2) this.lines = this.lines.slice(-this.keep);
    if (line.time) this.lastLineAtMs = Math.max(this.lastLineAtMs ?? 0, Date.parse(line.time));
    const event = eventOf(line);
    const followed = followRefusals(this.saContext, line, event);
    this.saContext = followed.ctx;
    // Bounded as newlyCopied is: a throttled pool's burst is hundreds of lines, not tens of thousands.
    if (followed.refusal && this.newlyRefused.length < COPIED_EVENTS_KEPT * 50) this.newlyRefused.push(followed.refusal);
    if (!event) return;
    if (event.kind === 'upload_started') {
      this.runOpen = true;
    } else if (event.kind === 'upload_finished') {
      this.runOpen = false;
    }
    this.keepForRun(event);
    if (COUNTED_KINDS.has(event.kind) && this.newlyCounted.length < COUNTED_EVENTS_KEPT) this.newlyCounted.push(event);
    const copied = event.kind === 'file_copied' || event.kind === 'file_moved';
    // Bounded like the lists below: a log read only by snapshots keeps no more than these.
    if (copied && this.firstReadDone && this.newlyCopied.length < COPIED_EVENTS_KEPT * 10) this.newlyCopied.push(event);
    const list = copied ? this.copied : this.keyEvents;
    list.push(event);
    const cap = copied ? COPIED_EVENTS_KEPT : KEY_EVENTS_KEPT;
    if (list.length > cap * 2) list.splice(0, list.length - cap);
  }
}
