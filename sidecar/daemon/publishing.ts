// Owns what is published and when: requests are coalesced (never two publishes at once, none
// before every source was read or after stop; what can wait an interval rides on the next
// one), and it remembers what was last written so a file is rendered again only when what it
// shows has moved.
import type { ResolvedConfig } from '../config/schema.js';
import type { Timing } from '../config/timing.js';
import { effectiveConfig } from '../config/effective.js';
import { HISTORY_RANGES, envelope, type Accounts, type Health, type HistoryRange, type HistoryRangeName, type SessionFile, type SourceHealth, type Summary, type Transfer, type Transfers } from '../contract/index.js';
import { version } from '../projectRoot.js';
import type { CloudplowSource } from '../sources/cloudplow.js';
import { EMPTY_SNAPSHOT } from '../sources/cloudplowSnapshot.js';
import { SourceStatus } from '../sources/sourceStatus.js';
import { AccountsCache } from '../state/accountsCache.js';
import { cloudplowView } from '../state/cloudplowView.js';
import { EventDerivation } from '../state/eventDerivation.js';
import type { EventLog } from '../state/eventLog.js';
import { ObservedShown } from '../state/observedShown.js';
import { stableLive } from '../state/liveView.js';
import { localDay, summarize } from '../state/summary.js';
import { overallState } from '../state/overall.js';
import { Publisher, dataFile, type DataFile } from '../write/publisher.js';
import type { PublishedFiles } from '../write/publishedFiles.js';
import { Cadence } from './cadence.js';
import { Exports } from './exports.js';
import type { Intake } from './intake.js';
import type { SiteKeeper } from './siteKeeper.js';

/** The pool forecast uses the average speed of the last 15 minutes, not the last poll's. */
const POOL_FORECAST_SECONDS = 900;
/**
 * The 48 h and 90 d ranges (1 and 15 minute buckets) and the summary made from the 90 d one: a
 * chart of them gains at most a point a minute, so a busy upload rewrites them twice a minute,
 * not with each 5 s sample into the open bucket (at months of uptime the 90 d file is large).
 */
const SLOW_RANGE_MS = 30_000;

export interface PublishingParts {
  intake: Intake;
  site: SiteKeeper;
  cloudplow: CloudplowSource | null;
  rcloneReachable: () => boolean;
  sourceHealth: () => SourceHealth[];
  startedAt: string;
  /** false for a one-off build: no heartbeat, so pages say the data is a static build. */
  continuous: boolean;
  demo: boolean;
  log: (line: string) => void;
  /** Filled with each file written, for a server in the same process. */
  published?: PublishedFiles;
}

export class Publishing {
  readonly outputStatus: SourceStatus;
  private readonly publisher: Publisher;
  private readonly accountsCache = new AccountsCache();
  private readonly observedShown = new ObservedShown();
  /** Nothing is published before every source has been read once: a half-read start would flicker. */
  private ready = false;
  private publishing: Promise<void> | null = null;
  private publishAgain = false;
  /** A publish asked for by requestSoon(), waiting for its time (or for a publish that comes first). */
  private soon: NodeJS.Timeout | null = null;
  private readonly soonMs: number;
  /** The transfer list last written: the log hands out a new list only when it changed. */
  private transfersWritten: readonly Transfer[] | null = null;
  /** The history version each range was last written at. */
  private readonly historyWritten = new Map<HistoryRangeName, number>();
  /** What may trail a little: an active session's moving figures, the slow ranges. */
  private readonly cadence = new Cadence();
  private readonly exports: Exports;
  /** An active session's moving figures as session.json last took them (see stableSession). */
  private sessionFigures: unknown = null;
  private configWritten = false;
  /** The accounts object last handed to the writer: the cache returns the same one while nothing moved. */
  private accountsWritten: Accounts | null = null;
  private cloudplowVersion = -1;
  private readonly eventDerivation = new EventDerivation();
  /** The timeline as last written: events.json is rewritten only when it changed. */
  private eventsWritten: { log: EventLog; version: number } | null = null;
  /** The local day the summary was last made for. */
  private summaryDay = '';
  private summary: Summary | null = null;
  private readonly heartbeatSeconds: number;

  constructor(
    private readonly config: ResolvedConfig,
    timing: Timing,
    private readonly parts: PublishingParts,
  ) {
    this.heartbeatSeconds = timing.heartbeatSeconds;
    this.soonMs = timing.intervalMs;
    this.outputStatus = new SourceStatus('output:data', 'output', 'output folder', config.output);
    this.publisher = new Publisher(
      config.output,
      {
        version,
        startedAt: parts.startedAt,
        heartbeatSeconds: parts.continuous ? timing.heartbeatSeconds : 0,
        intervals: {
          activeSeconds: config.intervalSeconds,
          idleSeconds: timing.idleIntervalMs / 1000,
          maxBackoffSeconds: timing.maxBackoffMs / 1000,
        },
        ...(parts.demo ? { demo: true } : {}),
      },
      this.outputStatus,
      parts.published,
    );
    this.exports = new Exports(timing.heartbeatSeconds, (relPath) => this.publisher.written(relPath));
  }

  /** From now on requests publish; the first publish is the caller's. */
  open(): void {
    this.ready = true;
  }

  /**
   * No publish starts after this: a late poll or file event would write into (and rebuild the
   * site in) an output folder the caller may be about to remove, as `plowboard demo` does.
   */
  close(): void {
    this.ready = false;
    if (this.soon) clearTimeout(this.soon);
    this.soon = null;
  }

  /** Resolves when the publish under way, if any, has finished. */
  async settled(): Promise<void> {
    await this.publishing;
  }

  /**
   * A change that can wait an interval: cloudplow's files, finished transfers from its log,
   * history samples. During an upload they go out with the next poll's publish, which comes
   * within an interval anyway; each one publishing on its own was three publishes per poll,
   * each rewriting live.json and session.json, whose times move with the clock.
   */
  requestSoon(): void {
    if (!this.ready || this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      this.request();
    }, this.soonMs);
  }

  /** A change to show now: an rclone poll that moved something (its state included), the heartbeat, a snapshot's outcome. */
  request(): void {
    if (!this.ready) return;
    if (this.soon) {
      clearTimeout(this.soon);
      this.soon = null;
    }
    if (this.publishing) {
      this.publishAgain = true;
      return;
    }
    this.publishing = this.publish()
      .catch((err: unknown) => this.parts.log(`plowboard: publish failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.publishing = null;
        if (this.publishAgain) {
          this.publishAgain = false;
          this.request();
        }
      });
  }

  async publish(): Promise<void> {
    const { intake, cloudplow } = this.parts;
    const now = new Date();
    await this.publisher.forgetMissing(now);
    await this.parts.site.restoreIfDeleted();
    if (!this.publisher.written('data/transfers.json')) this.transfersWritten = null;
    if (!this.publisher.written('data/config.json')) this.configWritten = false;
    const generatedAt = now.toISOString();
    const nowMs = now.getTime();
    const halfBeatMs = this.heartbeatSeconds * 500;
    const live = intake.live.toLive(generatedAt);
    const files: DataFile[] = [];
    const view = cloudplowView(
      {
        snapshot: cloudplow?.snapshot() ?? EMPTY_SNAPSHOT,
        live,
        rcloneReachable: this.parts.rcloneReachable(),
        transfers: intake.transfers.list(),
        quota: this.config.saQuota,
        recentBytesPerSecond: intake.history.recentRate('total', nowMs, POOL_FORECAST_SECONDS),
        recentWindowSeconds: POOL_FORECAST_SECONDS,
        now: nowMs,
        generatedAt,
        observed: { accounts: this.observedShown.get(intake.transfers.list(), live.total.inFlight > 0, nowMs, this.config.saQuota.windowHours * 3600_000, () => intake.observed.current(nowMs, this.config.saQuota.windowHours * 3600_000)), sinceMs: intake.observed.since },
        refusals: intake.refusals.current(nowMs),
      },
      this.accountsCache,
    );
    // live.json carries the pool's rate and the session's progress: they change with the speed
    // anyway, and accounts.json and session.json need not.
    files.push(dataFile('live', { ...live, poolRate: view.poolRate, sessionProgress: view.sessionProgress }, stableLive));
    const session = view.session.session;
    intake.uploading = session?.active ? { uploader: session.uploader, account: session.account.name } : null;
    if (this.cadence.due('session figures', nowMs, halfBeatMs)) {
      this.sessionFigures = movingFigures(view.session);
      this.cadence.done('session figures', nowMs);
    }
    const figures = this.sessionFigures;
    files.push(dataFile('session', view.session, (f) => stableSession(f, figures)));
    if (view.accounts !== this.accountsWritten || !this.publisher.written('data/accounts.json')) {
      files.push(dataFile('accounts', view.accounts));
      this.accountsWritten = view.accounts;
    }
    // The log and the size distributions change only with cloudplow's files: not re-serialized on every poll.
    const cloudplowNow = cloudplow?.version ?? 0;
    if (cloudplowNow !== this.cloudplowVersion || !this.publisher.written('data/logs.json') || !this.publisher.written('data/distribution.json')) {
      files.push(dataFile('distribution', view.distribution), dataFile('logs', view.logs));
      this.cloudplowVersion = cloudplowNow;
    }
    if (!this.configWritten) {
      files.push({ name: 'config', data: effectiveConfig(this.config, generatedAt) });
      this.configWritten = true;
    }
    const list = intake.transfers.list();
    if (list !== this.transfersWritten) {
      const transfers: Transfers = { ...envelope(generatedAt), limit: intake.transfers.limit, count: list.length, failed: list.filter((t) => !t.ok).length, transfers: [...list] };
      files.push({ name: 'transfers', data: transfers });
      this.transfersWritten = list;
    }
    // At rest the 48 h and 90 d ranges change once a bucket (1 min, 15 min), not every sample.
    for (const range of HISTORY_RANGES) {
      const version = intake.history.version(range);
      const written = this.publisher.written(`data/history-${range}.json`);
      if (this.historyWritten.get(range) === version && written) continue;
      if (range !== '1h' && written && !this.cadence.due(range, nowMs, SLOW_RANGE_MS)) continue;
      files.push({ name: `history-${range}`, data: intake.history.range(range, nowMs, generatedAt) });
      this.historyWritten.set(range, version);
      this.cadence.done(range, nowMs);
    }
    const range90d = files.find((f) => f.name === 'history-90d')?.data as HistoryRange | undefined;
    const day = localDay(nowMs);
    if (range90d || day !== this.summaryDay || !this.publisher.written('data/summary.json')) {
      this.summary = summarize(range90d ?? intake.history.range('90d', nowMs, generatedAt), nowMs, generatedAt);
      files.push(dataFile('summary', this.summary));
      this.summaryDay = day;
    }
    const sources = this.parts.sourceHealth();
    const logEvents = cloudplow?.snapshot().log.events ?? EMPTY_SNAPSHOT.log.events;
    intake.timeline.add(this.eventDerivation.derive({ now: nowMs, logEvents, accounts: view.accounts, session, live, transfers: list, sources }), nowMs);
    if (this.eventsWritten?.log !== intake.timeline || this.eventsWritten.version !== intake.timeline.version || !this.publisher.written('data/events.json')) {
      files.push(dataFile('events', intake.timeline.toFile(generatedAt)));
      this.eventsWritten = { log: intake.timeline, version: intake.timeline.version };
    }
    const health: Health = { ...envelope(generatedAt), state: overallState(sources), sidecar: { version, startedAt: this.parts.startedAt }, ...(this.parts.demo ? { demo: true } : {}), sources };
    const exports = this.exports.make({ nowMs, generatedAt, live, sources, health, accounts: view.accounts, transfers: list, summary: this.summary!, totals: intake.history.totals() });
    files.push(...exports.files);
    await this.publisher.publish(files, health, now, exports.texts);
  }
}

/** An active session's figures that move with every poll; live.json carries them at every poll. */
function movingFigures(file: SessionFile): unknown {
  const s = file.session;
  return s?.active ? [s.bytes.done, s.averageSpeed, s.etaSeconds, s.durationSeconds] : null;
}

/**
 * What decides whether session.json is rewritten: everything but its time and, while the session
 * is active, the moving figures, which count as they were when last taken (every half beat).
 */
function stableSession(file: SessionFile, figures: unknown): unknown {
  const s = file.session;
  if (!s?.active) return { ...file, generatedAt: null };
  return { ...file, generatedAt: null, session: { ...s, bytes: { ...s.bytes, done: null }, averageSpeed: null, etaSeconds: null, durationSeconds: null }, figures };
}
