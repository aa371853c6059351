import type { Health, Live, Manifest, Transfers } from '../contract/index.js';
import { DATA_FILES, dataPath, schemaPath } from '../contract/index.js';
import { stableHealth, type SourceStatus } from '../sources/sourceStatus.js';
import { stableLive } from '../state/liveView.js';
import { DataWriter } from './dataWriter.js';

export interface PublishMeta {
  version: string;
  startedAt: string;
  heartbeatSeconds: number;
  intervals: Manifest['intervals'];
}

export interface PublishSet {
  health: Health;
  live?: Live;
  transfers?: Transfers;
}

/**
 * Writes the data files and then the manifest that points at them, so a reader who sees
 * a new changedAt in index.json always finds that content on disk. A failed write is
 * recorded on the output source (shown in health.json) and retried on the next cycle.
 */
export class Publisher {
  private readonly writer: DataWriter;
  private lastHeartbeat = 0;

  constructor(
    outputDir: string,
    private readonly meta: PublishMeta,
    private readonly output: SourceStatus,
  ) {
    this.writer = new DataWriter(outputDir);
  }

  async writeConfig(config: unknown): Promise<void> {
    await this.put('config', config, (c) => ({ ...(c as object), generatedAt: null }));
  }

  async publish(set: PublishSet, now = new Date()): Promise<void> {
    let failed = false;
    if (set.live) failed = !(await this.put('live', set.live, stableLive)) || failed;
    if (set.transfers) failed = !(await this.put('transfers', set.transfers, (t) => ({ ...t, generatedAt: null }))) || failed;
    if (!failed) this.output.ok(null, now);
    const health = { ...set.health, sources: set.health.sources.map((s) => (s.id === this.output.id ? this.output.health() : s)) };
    await this.put('health', health, (h) => ({ ...h, generatedAt: null, sources: h.sources.map(stableHealth) }));

    const heartbeatDue = this.meta.heartbeatSeconds > 0 && now.getTime() - this.lastHeartbeat >= this.meta.heartbeatSeconds * 1000;
    const manifest: Manifest = {
      schemaVersion: 1,
      generatedAt: now.toISOString(),
      sidecar: { version: this.meta.version, startedAt: this.meta.startedAt },
      heartbeatAt: now.toISOString(),
      heartbeatSeconds: this.meta.heartbeatSeconds,
      intervals: this.meta.intervals,
      files: DATA_FILES.filter((f) => f.name !== 'index').map((f) => ({
        name: f.name,
        path: dataPath(f.name),
        schema: schemaPath(f.name),
        changedAt: this.writer.changedAt(dataPath(f.name)),
        description: f.description,
      })),
    };
    const wrote = await this.put('index', manifest, (m) => ({ ...m, generatedAt: null, heartbeatAt: null }), heartbeatDue);
    if (wrote && heartbeatDue) this.lastHeartbeat = now.getTime();
  }

  private async put<T>(name: string, data: T, stable: (d: T) => unknown, force = false): Promise<boolean> {
    const file = dataPath(name);
    try {
      const r = await this.writer.write(file, data, { stable, force });
      return r.written || !force;
    } catch (err) {
      this.writer.forget(file);
      const code = (err as NodeJS.ErrnoException).code;
      this.output.fail('error', `cannot write ${file}: ${code ?? (err as Error).message}`, {
        hint:
          code === 'ENOSPC'
            ? 'The disk holding the output folder is full: free space; plowboard keeps the last good files and retries.'
            : code === 'EROFS' || code === 'EACCES' || code === 'EPERM'
              ? 'plowboard cannot write its output folder: check its permissions and that it is not mounted read-only.'
              : 'plowboard keeps the last good files and retries on the next cycle.',
      });
      return false;
    }
  }
}
