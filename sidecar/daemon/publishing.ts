// Owns what is published and when: requests are coalesced (never two publishes at once, none
// before every source was read or after stop; what can wait an interval rides on the next
// one), and it remembers what was last written so a file is rendered again only when what it
// shows has moved.
import type { ResolvedConfig } from '../config/schema.js';
import type { Timing } from '../config/timing.js';
import { effectiveConfig } from '../config/effective.js';
import { HISTORY_RANGES, envelope, type Accounts, type Health, type HistoryRange, type HistoryRangeName, type SourceHealth, type Summary, type Transfer, type Transfers } from '../contract/index.js';
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
import { makeBadges } from '../state/badges.js';
import { overallState } from '../state/overall.js';
import { accountsCsv, transfersCsv } from '../write/csv.js';
import { renderAccountMetrics, renderRunMetrics } from '../write/metrics.js';
import { Publisher, beatDue, dataFile, type DataFile, type TextFile } from '../write/publisher.js';
import type { PublishedFiles } from '../write/publishedFiles.js';
import type { Intake } from './intake.js';
import type { SiteKeeper } from './siteKeeper.js';

/** The pool forecast uses the average speed of the last 15 minutes, not the last poll's. */
const POOL_FORECAST_SECONDS = 900;

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
  private configWritten = false;
  /** The accounts object last handed to the writer: the cache returns the same one while nothing moved. */
  private accountsWritten: Accounts | null = null;
  private accountsKey = '';
  /** The per-account part of metrics.prom, rendered again only when the accounts change. */
  private accountMetrics: string | null = null;
  /** Moves with each new rendering of the per-account part: it stands for that part in metrics.prom's key. */
  private accountMetricsVersion = 0;
  private cloudplowVersion = -1;
  private readonly eventDerivation = new EventDerivation();
  /** The timeline as last written: events.json is rewritten only when it changed. */
  private eventsWritten: { log: EventLog; version: number } | null = null;
  /** The 90-day history version and local day the summary was last made for. */
  private summaryKey = '';
  private summary: Summary | null = null;
  private metricsAt = 0;
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
    if (!this.publisher.written('data/transfers.json') || !this.publisher.written('data/transfers.csv')) this.transfersWritten = null;
    if (!this.publisher.written('data/config.json')) this.configWritten = false;
    const generatedAt = now.toISOString();
    const live = intake.live.toLive(generatedAt);
    const files: DataFile[] = [];
    const view = cloudplowView(
      {
        snapshot: cloudplow?.snapshot() ?? EMPTY_SNAPSHOT,
        live,
        rcloneReachable: this.parts.rcloneReachable(),
        transfers: intake.transfers.list(),
        quota: this.config.saQuota,
        recentBytesPerSecond: intake.history.recentRate('total', now.getTime(), POOL_FORECAST_SECONDS),
        recentWindowSeconds: POOL_FORECAST_SECONDS,
        now: now.getTime(),
        generatedAt,
        observed: { accounts: this.observedShown.get(intake.transfers.list(), live.total.inFlight > 0, now.getTime(), this.config.saQuota.windowHours * 3600_000, () => intake.observed.current(now.getTime(), this.config.saQuota.windowHours * 3600_000)), sinceMs: intake.observed.since },
        refusals: intake.refusals.current(now.getTime()),
      },
      this.accountsCache,
    );
    // live.json carries the pool's rate: it changes with the speed anyway, and accounts.json need not.
    files.push(dataFile('live', { ...live, poolRate: view.poolRate }, stableLive));
    const session = view.session.session;
    intake.uploading = session?.active ? { uploader: session.uploader, account: session.account.name } : null;
    files.push(dataFile('session', view.session));
    const accountsChanged = view.accounts !== this.accountsWritten;
    if (accountsChanged || !this.publisher.written('data/accounts.json')) {
      files.push(dataFile('accounts', view.accounts));
      this.accountsWritten = view.accounts;
    }
    // The log and the size distributions change only with cloudplow's files: not re-serialized on every poll.
    const cloudplowNow = cloudplow?.version ?? 0;
    if (cloudplowNow !== this.cloudplowVersion || !this.publisher.written('data/logs.json') || !this.publisher.written('data/distribution.json')) {
      files.push(dataFile('distribution', view.distribution), dataFile('logs', view.logs));
      this.cloudplowVersion = cloudplowNow;
    }
    const texts: TextFile[] = [];
    // The CSV is rendered only when the accounts say something new: at 1,000 SAs it costs more than the JSON.
    const accountsKey = accountsChanged ? JSON.stringify(view.accounts.uploaders) : this.accountsKey;
    if (accountsKey !== this.accountsKey || !this.publisher.written('data/accounts.csv')) {
      texts.push({ path: 'data/accounts.csv', text: accountsCsv(view.accounts) });
      this.accountsKey = accountsKey;
      this.accountMetrics = null;
    }
    if (!this.configWritten) {
      files.push({ name: 'config', data: effectiveConfig(this.config, generatedAt) });
      this.configWritten = true;
    }
    const list = intake.transfers.list();
    if (list !== this.transfersWritten) {
      const transfers: Transfers = { ...envelope(generatedAt), limit: intake.transfers.limit, count: list.length, failed: list.filter((t) => !t.ok).length, transfers: [...list] };
      files.push({ name: 'transfers', data: transfers });
      texts.push({ path: 'data/transfers.csv', text: transfersCsv(list) });
      this.transfersWritten = list;
    }
    // At rest the 48 h and 90 d ranges change once a bucket (1 min, 15 min), not every sample.
    for (const range of HISTORY_RANGES) {
      const version = intake.history.version(range);
      if (this.historyWritten.get(range) === version && this.publisher.written(`data/history-${range}.json`)) continue;
      files.push({ name: `history-${range}`, data: intake.history.range(range, now.getTime(), generatedAt) });
      this.historyWritten.set(range, version);
    }
    const summaryKey = `${intake.history.version('90d')} ${localDay(now.getTime())}`;
    if (summaryKey !== this.summaryKey || !this.publisher.written('data/summary.json')) {
      const range90d = (files.find((f) => f.name === 'history-90d')?.data as HistoryRange | undefined) ?? intake.history.range('90d', now.getTime(), generatedAt);
      this.summary = summarize(range90d, now.getTime(), generatedAt);
      files.push(dataFile('summary', this.summary));
      this.summaryKey = summaryKey;
    }
    const sources = this.parts.sourceHealth();
    const logEvents = cloudplow?.snapshot().log.events ?? EMPTY_SNAPSHOT.log.events;
    intake.timeline.add(this.eventDerivation.derive({ now: now.getTime(), logEvents, accounts: view.accounts, session, live, transfers: list, sources }), now.getTime());
    if (this.eventsWritten?.log !== intake.timeline || this.eventsWritten.version !== intake.timeline.version || !this.publisher.written('data/events.json')) {
      files.push(dataFile('events', intake.timeline.toFile(generatedAt)));
      this.eventsWritten = { log: intake.timeline, version: intake.timeline.version };
    }
    // Each badge is its own small file, rewritten only when what it says changed.
    const badges = makeBadges({ live, sources, accounts: view.accounts, summary: this.summary!, generatedAt });
    files.push(dataFile('badges', badges.list));
    for (const b of badges.files) files.push(dataFile(b.name, b.badge));
    const health: Health = { ...envelope(generatedAt), state: overallState(sources), sidecar: { version, startedAt: this.parts.startedAt }, ...(this.parts.demo ? { demo: true } : {}), sources };
    // Prometheus scrapes the textfile every 15 s or more: one render per heartbeat is plenty.
    if (beatDue(this.metricsAt, now.getTime(), this.heartbeatSeconds) || !this.publisher.written('metrics.prom')) {
      if (this.accountMetrics === null) {
        this.accountMetrics = renderAccountMetrics(view.accounts);
        this.accountMetricsVersion++;
      }
      const run = renderRunMetrics({ live, health, accounts: view.accounts, totals: intake.history.totals(), nowMs: now.getTime() });
      texts.push({ path: 'metrics.prom', text: run.text + this.accountMetrics, stable: `${run.stable}\n${this.accountMetricsVersion}` });
      this.metricsAt = now.getTime();
    }
    await this.publisher.publish(files, health, now, texts);
  }
}
