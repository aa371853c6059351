import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { effectiveConfig } from './config/effective.js';
import type { ResolvedConfig } from './config/schema.js';
import type { Health, SourceHealth, Transfers } from './contract/index.js';
import { projectRoot, version } from './projectRoot.js';
import { buildSite } from './site/build.js';
import { RcloneSource, type RclonePoll } from './sources/rclone.js';
import { SourceStatus } from './sources/sourceStatus.js';
import { LiveView } from './state/liveView.js';
import { overallState } from './state/overall.js';
import { ThroughputTracker } from './state/throughput.js';
import { TransferLog } from './state/transferLog.js';
import { timingFor, type Timing } from './timing.js';
import { Publisher } from './write/publisher.js';
import { writeSchemas } from './write/schemas.js';

export interface DaemonOptions {
  /** false for a one-off build: no heartbeat, so pages say the data is a static build. */
  continuous: boolean;
  log?: (line: string) => void;
}

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
  private readonly transfers: TransferLog;
  private readonly outputStatus: SourceStatus;
  private readonly siteStatus: SourceStatus;
  private readonly cloudplowStatus: SourceStatus;
  private readonly publisher: Publisher;
  private transfersChanged = true;
  private publishing: Promise<void> | null = null;
  private publishAgain = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private siteWatcher: FSWatcher | null = null;
  private rebuild: NodeJS.Timeout | null = null;
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
    this.siteStatus = new SourceStatus('site:build', 'site', 'site build', config.output);
    this.cloudplowStatus = cloudplowConfigStatus(config);
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
      },
      this.outputStatus,
    );
  }

  /** Writes schemas, config and the site, then polls every source once. */
  async prepare(): Promise<void> {
    await mkdir(this.config.output, { recursive: true });
    await writeSchemas(this.config.output);
    await this.publisher.writeConfig(effectiveConfig(this.config, new Date().toISOString()));
    await this.buildSite();
    await Promise.all(this.rclone.map((s) => s.poll()));
    await this.publish();
  }

  async start(): Promise<void> {
    await this.prepare();
    for (const source of this.rclone) source.start();
    // Keeps heartbeatAt fresh while nothing changes, so pages can tell "quiet" from "stopped".
    this.heartbeat = setInterval(() => this.requestPublish(), this.timing.heartbeatSeconds * 1000);
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
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.rebuild) clearTimeout(this.rebuild);
    await this.siteWatcher?.close();
    await Promise.all(this.rclone.map((s) => s.stop()));
    await this.publishing;
  }

  sourceHealth(): SourceHealth[] {
    return [...this.rclone.map((s) => s.status.health()), this.cloudplowStatus.health(), this.siteStatus.health(), this.outputStatus.health()];
  }

  private onPoll(poll: RclonePoll): void {
    const source = this.rclone.find((s) => s.status.name === poll.instance);
    this.live.apply(poll, source?.status.current ?? 'error');
    if (this.transfers.add(poll.transferred)) this.transfersChanged = true;
    this.requestPublish();
  }

  private requestPublish(): void {
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
    const generatedAt = now.toISOString();
    const sources = this.sourceHealth();
    const health: Health = {
      schemaVersion: 1,
      generatedAt,
      state: overallState(sources),
      sidecar: { version, startedAt: this.startedAt },
      sources,
    };
    let transfers: Transfers | undefined;
    if (this.transfersChanged) {
      const list = this.transfers.list();
      transfers = {
        schemaVersion: 1,
        generatedAt,
        limit: this.transfers.limit,
        count: list.length,
        failed: list.filter((t) => !t.ok).length,
        transfers: [...list],
      };
      this.transfersChanged = false;
    }
    await this.publisher.publish({ health, live: this.live.toLive(generatedAt), ...(transfers ? { transfers } : {}) }, now);
  }

  private async buildSite(): Promise<void> {
    try {
      const { durationMs } = await buildSite({
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

function cloudplowConfigStatus(config: ResolvedConfig): SourceStatus {
  const status = new SourceStatus('cloudplow-config:config', 'cloudplow-config', 'cloudplow config', config.cloudplow.path ?? '(none found)');
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
