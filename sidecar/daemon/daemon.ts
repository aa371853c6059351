// Owns the daemon's wiring and lifecycle: which sources there are, where what they bring goes,
// the timers, and the order of start and stop. What each part does is in the files beside it.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { CloudplowLaunch } from '../config/cloudplowLaunch.js';
import { cloudplowLayout } from '../config/cloudplowLayout.js';
import type { ResolvedConfig } from '../config/schema.js';
import { timingFor, type Timing } from '../config/timing.js';
import type { SourceHealth } from '../contract/index.js';
import { CloudplowSource } from '../sources/cloudplow.js';
import { cloudplowRunningCheck } from '../sources/cloudplowRunning.js';
import { RcloneSource } from '../sources/rclone.js';
import type { SourceStatus } from '../sources/sourceStatus.js';
import { sidecarEvent } from '../state/eventDerivation.js';
import { version } from '../projectRoot.js';
import { removeStaleTemps } from '../write/atomic.js';
import type { PublishedFiles } from '../write/publishedFiles.js';
import { writeSchemas } from '../write/schemas.js';
import { cloudplowConfigStatus, noteMoves } from './cloudplowLocation.js';
import { Intake, SAMPLE_MS } from './intake.js';
import { Publishing } from './publishing.js';
import { SavedState } from './savedState.js';
import { SiteKeeper } from './siteKeeper.js';
import { SnapshotSchedule } from './snapshotSchedule.js';

export interface DaemonOptions {
  /** false for a one-off build: no heartbeat, so pages say the data is a static build. */
  continuous: boolean;
  log?: (line: string) => void;
  /** Looks at the host for cloudplow again (a running sidecar does, rarely); absent: never. */
  rediscover?: () => CloudplowLaunch[];
  /** `plowboard demo`: health.json and index.json say so, and every page shows a banner. */
  demo?: boolean;
  /** Filled with each data file written: `run` answers them from memory (serve/memoryAnswer.ts). */
  published?: PublishedFiles;
}

const SAVE_MS = 60_000;
/** How often a running sidecar looks at /proc and the units again: cheap, and cloudplow rarely moves. */
const REDISCOVER_MS = 5 * 60_000;

/**
 * Wires the sources to the state and the writers: every poll updates the state, and a
 * publish (coalesced, never two at once) writes whatever changed.
 */
export class Daemon {
  readonly timing: Timing;
  private readonly startedAt = new Date().toISOString();
  private readonly rclone: RcloneSource[];
  private readonly cloudplow: CloudplowSource | null;
  private readonly cloudplowStatus: SourceStatus;
  private readonly intake: Intake;
  private readonly saved: SavedState;
  private readonly site: SiteKeeper;
  private readonly publishing: Publishing;
  private timers: NodeJS.Timeout[] = [];
  private readonly snapshots: SnapshotSchedule | null;
  private readonly log: (line: string) => void;

  constructor(
    private readonly config: ResolvedConfig,
    private readonly opts: DaemonOptions,
  ) {
    this.log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.timing = timingFor(config);
    const publish = () => this.publishing.request();
    const publishSoon = () => this.publishing.requestSoon();
    this.intake = new Intake(
      config.rclone.map((r) => r.name),
      this.timing,
      config.transfersLimit,
      () => this.cloudplow?.snapshot().log.events ?? [],
      (now) => (now ? publish() : publishSoon()),
    );
    this.saved = new SavedState(config.stateDir);
    this.rclone = config.rclone.map(
      (instance) =>
        new RcloneSource(instance, {
          intervalMs: this.timing.intervalMs,
          idleIntervalMs: this.timing.idleIntervalMs,
          mayRest: () => this.cloudplow?.quietBetweenUploads() ?? false,
          maxBackoffMs: this.timing.maxBackoffMs,
          timeoutMs: this.timing.timeoutMs,
          onPoll: (poll) => this.intake.onPoll(poll, this.rclone.find((s) => s.status.name === poll.instance)?.status.current ?? 'error'),
        }),
    );
    this.site = new SiteKeeper(config, opts.continuous, this.timing.heartbeatSeconds * 1000, this.log);
    this.cloudplowStatus = cloudplowConfigStatus(config);
    const layout = cloudplowLayout(config);
    this.cloudplow = layout
      ? new CloudplowSource(layout, {
          logLines: config.logLines,
          onChange: publishSoon,
          onTransfers: (rows) => this.intake.onTransfers(rows),
          onCopied: (events) => this.intake.onCopied(events),
          onRefusals: (refusals) => this.intake.onRefusals(refusals),
          onUploadStart: () => {
            for (const source of this.rclone) source.wake();
          },
          onLogCounts: (events) => this.intake.onLogCounts(events),
          cloudplowRunning: cloudplowRunningCheck(config.cloudplow.path),
          onUnexpected: (message) => this.log(`plowboard: ${message}`),
        })
      : null;
    this.snapshots = config.snapshotGit && opts.continuous ? new SnapshotSchedule(config.snapshotGit, config, publish, this.log) : null;
    this.publishing = new Publishing(config, this.timing, {
      intake: this.intake,
      site: this.site,
      cloudplow: this.cloudplow,
      rcloneReachable: () => this.rclone.some((s) => s.status.current === 'ok'),
      sourceHealth: () => this.sourceHealth(),
      startedAt: this.startedAt,
      continuous: opts.continuous,
      demo: opts.demo ?? false,
      log: this.log,
      published: opts.published,
    });
  }

  /** A one-off build: every source read once, the data published, then the pages. */
  async prepare(): Promise<void> {
    await this.readOnce();
    await this.site.build();
    await this.publishing.publish();
  }

  /** Restores state, writes schemas, polls every source once and publishes the data. */
  private async readOnce(): Promise<void> {
    await mkdir(this.config.output, { recursive: true });
    await Promise.all([removeStaleTemps(path.join(this.config.output, 'data')), removeStaleTemps(this.config.stateDir)]);
    await this.saved.restoreInto(this.intake);
    if (this.opts.continuous) this.intake.timeline.add([sidecarEvent('sidecar_started', this.startedAt, version)], Date.now());
    await this.cloudplow?.readAll();
    await writeSchemas(this.config.output);
    await Promise.all(this.rclone.map((s) => s.poll()));
    this.intake.sample();
    this.publishing.open();
    await this.publishing.publish();
  }

  /**
   * The data first, and the sources followed from then on; the pages after. The site build
   * (Eleventy, esbuild, brotli) takes seconds, tens of them on a busy Pi, and neither the
   * data files nor the tools that read them need the pages: nothing waits for them.
   */
  async start(): Promise<void> {
    await this.readOnce();
    for (const source of this.rclone) source.start();
    await this.cloudplow?.start();
    this.timers.push(
      // Keeps heartbeatAt fresh while nothing changes, so pages can tell "quiet" from "stopped";
      // between uploads it is the only publish, and what is due by the clock (a quota window's
      // reset, a new day's totals, metrics.prom) goes out with it.
      setInterval(() => this.publishing.request(), this.timing.heartbeatSeconds * 1000),
      setInterval(() => {
        if (this.intake.sample()) this.publishing.requestSoon();
      }, SAMPLE_MS),
      setInterval(() => void this.saved.save(this.intake), SAVE_MS),
    );
    this.snapshots?.start();
    await this.site.build();
    // health.json with the site's build in it.
    this.publishing.request();
    if (this.opts.rediscover && this.cloudplow) this.timers.push(setInterval(() => this.lookAgain(), REDISCOVER_MS));
    this.site.watch();
  }

  async stop(): Promise<void> {
    this.publishing.close();
    for (const t of this.timers) clearInterval(t);
    await this.snapshots?.stop();
    await this.site.stop();
    await Promise.all(this.rclone.map((s) => s.stop()));
    await this.cloudplow?.stop();
    await this.publishing.settled();
    if (this.opts.continuous) {
      this.intake.sample();
      this.intake.timeline.add([sidecarEvent('sidecar_stopped', new Date().toISOString(), version)], Date.now());
      await this.saved.save(this.intake);
    }
  }

  /** Says (in health.json and once on stderr) when cloudplow now keeps a file elsewhere than plowboard reads it. */
  lookAgain(): void {
    if (!this.opts.rediscover || !this.cloudplow) return;
    if (noteMoves(this.cloudplowStatus, this.config, this.cloudplow.layout, this.opts.rediscover, this.log)) this.publishing.request();
  }

  sourceHealth(): SourceHealth[] {
    return [
      ...this.rclone.map((s) => s.status.health()),
      this.cloudplowStatus.health(),
      ...(this.cloudplow?.statuses.map((s) => s.health()) ?? []),
      this.site.status.health(),
      this.publishing.outputStatus.health(),
      this.saved.status.health(),
      ...(this.snapshots ? [this.snapshots.status.health()] : []),
    ];
  }
}
