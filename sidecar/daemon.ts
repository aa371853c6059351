import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { launchesFor } from './config/cloudplowDiscovery.js';
import type { CloudplowLaunch } from './config/cloudplowLaunch.js';
import { cloudplowLayout } from './config/cloudplowLayout.js';
import { layoutDrift } from './config/layoutDrift.js';
import { effectiveConfig } from './config/effective.js';
import type { ResolvedConfig } from './config/schema.js';
import { HISTORY_RANGES, schemaPath, type Accounts, type Health, type HistoryRangeName, type SourceHealth, type Transfer, type Transfers } from './contract/index.js';
import { attributeTransfers, saPeriods } from './normalize/saTimeline.js';
import { redactOrNull } from './normalize/secrets.js';
import { projectRoot, version } from './projectRoot.js';
import { buildSiteInChild } from './site/buildInChild.js';
import { CloudplowSource } from './sources/cloudplow.js';
import { EMPTY_SNAPSHOT } from './sources/cloudplowSnapshot.js';
import { cloudplowRunningCheck } from './sources/cloudplowRunning.js';
import { RcloneSource, type RclonePoll } from './sources/rclone.js';
import { SourceStatus } from './sources/sourceStatus.js';
import { AccountsCache } from './state/accountsCache.js';
import { cloudplowView } from './state/cloudplowView.js';
import { HistoryStore, SAMPLE_SECONDS } from './state/history.js';
import { LiveView, stableLive } from './state/liveView.js';
import { LoggedTransfers } from './state/loggedTransfers.js';
import { ObservedUsage } from './state/observedUsage.js';
import { overallState } from './state/overall.js';
import { StateFile } from './daemon/stateFile.js';
import { ThroughputTracker } from './state/throughput.js';
import { TransferLog } from './state/transferLog.js';
import { timingFor, type Timing } from './config/timing.js';
import { accountsCsv, transfersCsv } from './write/csv.js';
import { renderAccountMetrics, renderRunMetrics, stableMetrics } from './write/metrics.js';
import { Publisher, dataFile, type DataFile, type TextFile } from './write/publisher.js';
import { removeStaleTemps } from './write/atomic.js';
import { writeSchemas } from './write/schemas.js';

export interface DaemonOptions {
  /** false for a one-off build: no heartbeat, so pages say the data is a static build. */
  continuous: boolean;
  log?: (line: string) => void;
  /** Looks at the host for cloudplow again (a running sidecar does, rarely); absent: never. */
  rediscover?: () => CloudplowLaunch[];
  /** `plowboard demo`: health.json and index.json say so, and every page shows a banner. */
  demo?: boolean;
}

/** History is sampled on its own clock, so a backed-off poll never reads as a gap. */
const SAMPLE_MS = SAMPLE_SECONDS * 1000;
const SAVE_MS = 60_000;
/** How often a running sidecar looks at /proc and the units again: cheap, and cloudplow rarely moves. */
const REDISCOVER_MS = 5 * 60_000;
/** The pool forecast uses the average speed of the last 15 minutes, not the last poll's. */
const POOL_FORECAST_SECONDS = 900;

/**
 * Wires the sources to the state and the writers: every poll updates the state, and a
 * publish (coalesced, never two at once) writes whatever changed.
 */
export class Daemon {
  readonly timing: Timing;
  private readonly startedAt = new Date().toISOString();
  private readonly rclone: RcloneSource[];
  private readonly throughput: ThroughputTracker;
  private readonly live: LiveView;
  private transfers: TransferLog;
  private readonly logged = new LoggedTransfers();
  private history = new HistoryStore();
  private readonly pending = new Map<string, { bytes: number; errors: number; completed: number }>();
  /** Bytes per uploader/SA since the last sample, as each poll found them: at an SA change each SA keeps its own. */
  private readonly pendingBySa = new Map<string, number>();
  private readonly historyFile: StateFile<HistoryStore>;
  private readonly transfersFile: StateFile<Transfer[]>;
  private observed = new ObservedUsage(Date.now());
  private readonly observedFile: StateFile<ObservedUsage>;
  private readonly outputStatus: SourceStatus;
  private readonly stateStatus: SourceStatus;
  private readonly siteStatus: SourceStatus;
  private readonly cloudplowStatus: SourceStatus;
  private readonly publisher: Publisher;
  private transfersChanged = true;
  /** The history version each range was last written at. */
  private readonly historyWritten = new Map<HistoryRangeName, number>();
  private configWritten = false;
  private readonly cloudplow: CloudplowSource | null;
  /** The uploader and SA of the active session, as of the last publish. */
  private uploading: { uploader: string | null; account: string | null } | null = null;
  private readonly accountsCache = new AccountsCache();
  /** The accounts object last handed to the writer: the cache returns the same one while nothing moved. */
  private accountsWritten: Accounts | null = null;
  private accountsKey = '';
  /** The per-account part of metrics.prom, rendered again only when the accounts change. */
  private accountMetrics: string | null = null;
  private liveKey = '';
  private cloudplowVersion = -1;
  private metricsAt = 0;
  /** Nothing is published before every source has been read once: a half-read start would flicker. */
  private ready = false;
  private publishing: Promise<void> | null = null;
  private publishAgain = false;
  private timers: NodeJS.Timeout[] = [];
  private siteWatcher: FSWatcher | null = null;
  private rebuild: NodeJS.Timeout | null = null;
  private rebuilding = false;
  private siteCheckedAt = Date.now();
  private readonly log: (line: string) => void;

  constructor(
    private readonly config: ResolvedConfig,
    private readonly opts: DaemonOptions,
  ) {
    this.log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.timing = timingFor(config);
    this.throughput = new ThroughputTracker(this.timing.throughputWindowSeconds);
    this.live = new LiveView(
      config.rclone.map((r) => r.name),
      this.throughput,
    );
    this.transfers = new TransferLog(config.transfersLimit);
    this.historyFile = new StateFile(path.join(config.stateDir, 'history.json'), (raw) => HistoryStore.restore(raw, Date.now()));
    this.transfersFile = new StateFile(path.join(config.stateDir, 'transfers.json'), restoreTransfers);
    this.observedFile = new StateFile(path.join(config.stateDir, 'observed-usage.json'), (raw) => ObservedUsage.restore(raw, Date.now()));
    this.rclone = config.rclone.map(
      (instance) =>
        new RcloneSource(instance, {
          intervalMs: this.timing.intervalMs,
          maxBackoffMs: this.timing.maxBackoffMs,
          timeoutMs: this.timing.timeoutMs,
          onPoll: (poll) => this.onPoll(poll),
        }),
    );
    this.outputStatus = new SourceStatus('output:data', 'output', 'output folder', config.output);
    this.stateStatus = new SourceStatus('state:dir', 'state', 'state folder', config.stateDir);
    this.siteStatus = new SourceStatus('site:build', 'site', 'site build', config.output);
    this.cloudplowStatus = cloudplowConfigStatus(config);
    const layout = cloudplowLayout(config);
    this.cloudplow = layout
      ? new CloudplowSource(layout, {
          logLines: config.logLines,
          onChange: () => this.requestPublish(),
          onTransfers: (rows) => this.onTransfers(null, rows),
          onCopied: (events) => this.onTransfers(null, this.logged.fromLog(events)),
          cloudplowRunning: cloudplowRunningCheck(config.cloudplow.path),
          onUnexpected: (message) => this.log(`plowboard: ${message}`),
        })
      : null;
    this.publisher = new Publisher(
      config.output,
      {
        version,
        startedAt: this.startedAt,
        heartbeatSeconds: opts.continuous ? this.timing.heartbeatSeconds : 0,
        intervals: {
          activeSeconds: config.intervalSeconds,
          idleSeconds: config.intervalSeconds,
          maxBackoffSeconds: this.timing.maxBackoffMs / 1000,
        },
        ...(opts.demo ? { demo: true } : {}),
      },
      this.outputStatus,
    );
  }

  /** Restores state, writes schemas and the site, then polls every source once. */
  async prepare(): Promise<void> {
    await mkdir(this.config.output, { recursive: true });
    await Promise.all([removeStaleTemps(path.join(this.config.output, 'data')), removeStaleTemps(this.config.stateDir)]);
    await this.restoreState();
    await this.cloudplow?.readAll();
    await writeSchemas(this.config.output);
    await this.buildSite();
    await Promise.all(this.rclone.map((s) => s.poll()));
    this.sample();
    this.ready = true;
    await this.publish();
  }

  async start(): Promise<void> {
    await this.prepare();
    for (const source of this.rclone) source.start();
    await this.cloudplow?.start();
    this.timers.push(
      // Keeps heartbeatAt fresh while nothing changes, so pages can tell "quiet" from "stopped".
      setInterval(() => this.requestPublish(), this.timing.heartbeatSeconds * 1000),
      setInterval(() => {
        this.sample();
        this.requestPublish();
      }, SAMPLE_MS),
      setInterval(() => void this.saveState(), SAVE_MS),
    );
    if (this.opts.rediscover && this.cloudplow) this.timers.push(setInterval(() => this.lookAgain(), REDISCOVER_MS));
    // The pages are rebuilt when what they are built from changes (an upgrade in place, an
    // edited template), never on a data tick: data reaches them as JSON.
    this.siteWatcher = watch([path.join(projectRoot, 'src'), path.join(projectRoot, 'templates'), path.join(projectRoot, '.eleventy.js')], {
      ignoreInitial: true,
    }).on('all', () => {
      if (this.rebuild) clearTimeout(this.rebuild);
      this.rebuild = setTimeout(() => void this.buildSite(), 300);
    });
  }

  async stop(): Promise<void> {
    // No publish starts after this: a late poll or file event would write into (and rebuild the
    // site in) an output folder the caller may be about to remove, as `plowboard demo` does.
    this.ready = false;
    for (const t of this.timers) clearInterval(t);
    if (this.rebuild) clearTimeout(this.rebuild);
    await this.siteWatcher?.close();
    await Promise.all(this.rclone.map((s) => s.stop()));
    await this.cloudplow?.stop();
    await this.publishing;
    if (this.opts.continuous) {
      this.sample();
      await this.saveState();
    }
  }

  /** Says (in health.json and once on stderr) when cloudplow now keeps a file elsewhere than plowboard reads it. */
  lookAgain(): void {
    if (!this.opts.rediscover || !this.cloudplow || !this.config.cloudplow.path) return;
    let later;
    try {
      later = cloudplowLayout({ ...this.config, cloudplowLaunches: launchesFor(this.config.cloudplow.path, this.opts.rediscover()) });
    } catch (err) {
      this.log(`plowboard: looking for cloudplow again failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const drift = later ? layoutDrift(this.cloudplow.layout, later) : [];
    const before = JSON.stringify(this.cloudplowStatus.health().notes ?? []);
    for (const topic of ['cloudplow.log', 'cache.db', 'locks/', 'transfer-stats.jsonl']) this.cloudplowStatus.note(`moved ${topic}`, null);
    for (const line of drift) this.cloudplowStatus.note(`moved ${line.slice(0, line.indexOf(':'))}`, line);
    if (JSON.stringify(this.cloudplowStatus.health().notes ?? []) !== before) {
      for (const line of drift) this.log(`plowboard: ${line}`);
      this.requestPublish();
    }
  }

  sourceHealth(): SourceHealth[] {
    return [
      ...this.rclone.map((s) => s.status.health()),
      this.cloudplowStatus.health(),
      ...(this.cloudplow?.statuses.map((s) => s.health()) ?? []),
      this.siteStatus.health(),
      this.outputStatus.health(),
      this.stateStatus.health(),
    ];
  }

  private onPoll(poll: RclonePoll): void {
    const source = this.rclone.find((s) => s.status.name === poll.instance);
    const { bytesMoved } = this.live.apply(poll, source?.status.current ?? 'error');
    if (poll.stats) this.logged.observe(poll.instance, poll.at.getTime(), poll.stats.transferring);
    // A poll that changed nothing (rclone idle, the same numbers) publishes nothing: the
    // heartbeat and sample timers keep index.json fresh meanwhile.
    const key = JSON.stringify(stableLive(this.live.toLive('')));
    const liveChanged = key !== this.liveKey;
    this.liveKey = key;
    this.onTransfers(poll.instance, poll.transferred, bytesMoved, liveChanged);
  }

  /** Finished transfers from rclone (an instance), or from cloudplow (null): transfer-stats.jsonl rows, or rclone's Copied lines in its log. */
  private onTransfers(instance: string | null, transfers: readonly Transfer[], bytesMoved = 0, liveChanged = true): void {
    const before = this.transfers.list();
    // Which uploader and SA uploaded each file is known from cloudplow's log, not from rclone.
    const events = this.cloudplow && transfers.length ? this.cloudplow.snapshot().log.events : [];
    const added = this.transfers.add(events.length ? attributeTransfers(transfers, saPeriods(events)) : transfers);
    const changed = added.length > 0 || this.transfers.list() !== before;
    if (changed) this.transfersChanged = true;
    // cloudplow's rows count toward the total only: rclone's own instance series already has the bytes.
    const key = instance ?? 'cloudplow';
    const p = this.pending.get(key) ?? { bytes: 0, errors: 0, completed: 0 };
    p.bytes += bytesMoved;
    if (bytesMoved > 0 && this.uploading?.uploader && this.uploading.account) {
      const sa = `${this.uploading.uploader}\0${this.uploading.account}`;
      this.pendingBySa.set(sa, (this.pendingBySa.get(sa) ?? 0) + bytesMoved);
    }
    p.errors += added.filter((t) => !t.ok).length;
    p.completed += added.filter((t) => t.ok).length;
    this.pending.set(key, p);
    if (changed || liveChanged) this.requestPublish();
  }

  /** Moves what the polls saw since the last sample into the history. */
  private sample(): void {
    const now = Date.now();
    const fromCloudplow = this.pending.get('cloudplow') ?? { bytes: 0, errors: 0, completed: 0 };
    const total = { bytes: 0, errors: fromCloudplow.errors, completed: fromCloudplow.completed };
    const live = this.live.toLive(new Date(now).toISOString());
    for (const inst of live.instances) {
      const p = this.pending.get(inst.name) ?? { bytes: 0, errors: 0, completed: 0 };
      this.history.record(`instance:${inst.name}`, now, { ...p, inFlight: inst.inFlight });
      total.bytes += p.bytes;
      total.errors += p.errors;
      total.completed += p.completed;
    }
    const sample = { ...total, inFlight: live.total.inFlight };
    this.history.record('total', now, sample);
    // What moved while a session was active belongs to its uploader and SA as well.
    if (this.uploading?.uploader) this.history.record(`uploader:${this.uploading.uploader}`, now, sample);
    const current = this.uploading?.uploader && this.uploading.account ? `${this.uploading.uploader}\0${this.uploading.account}` : null;
    if (current && !this.pendingBySa.has(current)) this.pendingBySa.set(current, 0);
    for (const [sa, bytes] of this.pendingBySa) {
      // Finished and failed counts go to the SA in use now; bytes to the SA in use when they moved.
      const [uploader, account] = sa.split('\0') as [string, string];
      this.history.record(`account:${uploader}/${account}`, now, sa === current ? { ...sample, bytes } : { bytes, errors: 0, completed: 0, inFlight: 0 }, { dailyOnly: true });
      this.observed.add(uploader, account, now, bytes);
    }
    this.pending.clear();
    this.pendingBySa.clear();
  }

  private async restoreState(): Promise<void> {
    const [history, transfers, observed] = await Promise.all([this.historyFile.load(), this.transfersFile.load(), this.observedFile.load()]);
    const problems: string[] = [];
    if (observed.kind === 'loaded') this.observed = observed.value;
    else if (observed.kind === 'corrupt') problems.push(observed.message);
    if (history.kind === 'loaded') this.history = history.value;
    else if (history.kind === 'corrupt') problems.push(history.message);
    if (transfers.kind === 'loaded') this.transfers.add(transfers.value);
    else if (transfers.kind === 'corrupt') problems.push(transfers.message);
    if (problems.length) this.stateStatus.fail('error', problems.join('; '), { hint: 'The unreadable file was moved aside with a .corrupt- suffix; nothing else is lost.' });
    else this.stateStatus.ok(null);
  }

  private async saveState(): Promise<void> {
    try {
      await this.historyFile.save(this.history.snapshot());
      await this.transfersFile.save(this.transfers.list());
      await this.observedFile.save(this.observed.snapshot());
      this.stateStatus.ok(null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      this.stateStatus.fail('error', `cannot save to ${this.config.stateDir}: ${code ?? (err as Error).message}`, {
        hint: 'History since the last save would be lost on a restart: check space and permissions of the state folder.',
      });
    }
  }

  private requestPublish(): void {
    if (!this.ready) return;
    if (this.publishing) {
      this.publishAgain = true;
      return;
    }
    this.publishing = this.publish()
      .catch((err: unknown) => this.log(`plowboard: publish failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.publishing = null;
        if (this.publishAgain) {
          this.publishAgain = false;
          this.requestPublish();
        }
      });
  }

  private async publish(): Promise<void> {
    const now = new Date();
    await this.publisher.forgetMissing(now);
    await this.restoreSiteIfDeleted();
    if (!this.publisher.written('data/transfers.json') || !this.publisher.written('data/transfers.csv')) this.transfersChanged = true;
    if (!this.publisher.written('data/config.json')) this.configWritten = false;
    const generatedAt = now.toISOString();
    const live = this.live.toLive(generatedAt);
    const files: DataFile[] = [dataFile('live', live, stableLive)];
    const view = cloudplowView(
      {
        snapshot: this.cloudplow?.snapshot() ?? EMPTY_SNAPSHOT,
        live,
        rcloneReachable: this.rclone.some((s) => s.status.current === 'ok'),
        transfers: this.transfers.list(),
        quota: this.config.saQuota,
        recentBytesPerSecond: this.history.recentRate('total', now.getTime(), POOL_FORECAST_SECONDS),
        now: now.getTime(),
        generatedAt,
        observed: { accounts: this.observed.current(now.getTime(), this.config.saQuota.windowHours * 3600_000), sinceMs: this.observed.since },
      },
      this.accountsCache,
    );
    const session = view.session.session;
    this.uploading = session?.active ? { uploader: session.uploader, account: session.account.name } : null;
    files.push(dataFile('session', view.session));
    const accountsChanged = view.accounts !== this.accountsWritten;
    if (accountsChanged || !this.publisher.written('data/accounts.json')) {
      files.push(dataFile('accounts', view.accounts));
      this.accountsWritten = view.accounts;
    }
    // The log and the size distributions change only with cloudplow's files: not re-serialized on every poll.
    const cloudplowNow = this.cloudplow?.version ?? 0;
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
    if (this.transfersChanged) {
      const list = this.transfers.list();
      const transfers: Transfers = { schemaVersion: 1, generatedAt, limit: this.transfers.limit, count: list.length, failed: list.filter((t) => !t.ok).length, transfers: [...list] };
      files.push({ name: 'transfers', data: transfers });
      texts.push({ path: 'data/transfers.csv', text: transfersCsv(list) });
      this.transfersChanged = false;
    }
    // At rest the 48 h and 90 d ranges change once a bucket (1 min, 15 min), not every sample.
    for (const range of HISTORY_RANGES) {
      const version = this.history.version(range);
      if (this.historyWritten.get(range) === version && this.publisher.written(`data/history-${range}.json`)) continue;
      files.push({ name: `history-${range}`, data: this.history.range(range, now.getTime(), generatedAt) });
      this.historyWritten.set(range, version);
    }
    const sources = this.sourceHealth();
    const health: Health = { schemaVersion: 1, generatedAt, state: overallState(sources), sidecar: { version, startedAt: this.startedAt }, ...(this.opts.demo ? { demo: true } : {}), sources };
    // Prometheus scrapes the textfile every 15 s or more: one render per history sample is plenty.
    if (now.getTime() - this.metricsAt >= SAMPLE_MS || !this.publisher.written('metrics.prom')) {
      this.accountMetrics ??= await renderAccountMetrics(view.accounts);
      const metrics = (await renderRunMetrics({ live, health, accounts: view.accounts, totals: this.history.totals(), nowMs: now.getTime() })) + this.accountMetrics;
      texts.push({ path: 'metrics.prom', text: metrics, stable: stableMetrics(metrics) });
      this.metricsAt = now.getTime();
    }
    await this.publisher.publish(files, health, now, texts);
  }

  /** The pages and schemas are written at start; if someone empties the output folder, they come back. */
  private async restoreSiteIfDeleted(): Promise<void> {
    const present = (rel: string) => access(path.join(this.config.output, rel)).then(() => true, () => false);
    if (!this.opts.continuous || this.rebuilding || Date.now() - this.siteCheckedAt < this.timing.heartbeatSeconds * 1000) return;
    this.siteCheckedAt = Date.now();
    if (!(await present('index.html')) || !(await present(schemaPath('index')))) {
      this.rebuilding = true;
      try {
        await writeSchemas(this.config.output).catch(() => undefined);
        await this.buildSite();
      } finally {
        this.rebuilding = false;
      }
    }
  }

  private async buildSite(): Promise<void> {
    try {
      const { durationMs } = await buildSiteInChild({
        outputDir: this.config.output,
        site: { version, intervalSeconds: this.config.intervalSeconds, instances: this.config.rclone.map((r) => r.name) },
      });
      this.siteStatus.ok(durationMs);
    } catch (err) {
      this.siteStatus.fail('error', `site build failed: ${err instanceof Error ? err.message : String(err)}`, {
        hint: 'The data files are still written; the pages may be out of date. Run `plowboard build` to see the full error.',
      });
      this.log(`plowboard: site build failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function restoreTransfers(raw: unknown): Transfer[] {
  if (!Array.isArray(raw)) throw new Error('not a list of transfers');
  return (
    raw
      .filter((t): t is Transfer => !!t && typeof t === 'object' && typeof (t as Transfer).id === 'string' && typeof (t as Transfer).completedAt === 'string')
      // Saved by a plowboard that did not redact yet: its rclone errors would be republished as they were.
      .map((t) => ({
        ...t,
        error: redactOrNull(typeof t.error === 'string' ? t.error : null),
        ...(typeof t.srcFs === 'string' ? { srcFs: redactOrNull(t.srcFs)! } : {}),
        ...(typeof t.dstFs === 'string' ? { dstFs: redactOrNull(t.dstFs)! } : {}),
      }))
  );
}

function cloudplowConfigStatus(config: ResolvedConfig): SourceStatus {
  const status = new SourceStatus('cloudplow-config:config', 'cloudplow-config', 'cloudplow config', config.cloudplow.path ?? '(none found)');
  if (config.cloudplow.found) status.foundBy = config.cloudplow.from;
  for (const [i, other] of (config.cloudplowOthers ?? []).entries()) status.note(`other-${i}`, `not this one: ${other}; --cloudplow-config chooses`);
  if (!config.cloudplow.found) {
    status.fail('missing', 'no cloudplow config.json found', {
      hint: 'plowboard shows rclone only. Point it at cloudplow with --cloudplow-config or CLOUDPLOW_CONFIG.',
    });
  } else if (config.cloudplowProblem) {
    status.fail('error', config.cloudplowProblem, { hint: 'Fix the file; until then the rclone URL falls back to the default.' });
  } else {
    status.ok(null);
  }
  return status;
}
