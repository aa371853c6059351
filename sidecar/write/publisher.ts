import { DATA_FILES, POLLED_DIRECTLY, dataPath, envelope, schemaPath, type Health, type Heartbeat, type Manifest, type SourceHealth } from '../contract/index.js';
import type { SourceStatus } from '../sources/sourceStatus.js';
import { DataWriter } from './dataWriter.js';
import type { PublishedFiles } from './publishedFiles.js';

export interface PublishMeta {
  version: string;
  startedAt: string;
  heartbeatSeconds: number;
  intervals: Manifest['intervals'];
  /** `plowboard demo`: said in the manifest so every page shows it. */
  demo?: boolean;
}

export interface DataFile<T = unknown> {
  name: string;
  data: T;
  /** The part that decides whether the file changed; without it, all but the top-level generatedAt. */
  stable?: (data: T) => unknown;
}

/** A file that is not JSON (metrics.prom, CSV), by its path in the output folder. */
export interface TextFile {
  path: string;
  text: string;
  /** What decides whether it changed; the whole text when absent. */
  stable?: string;
}

/** Pairs a file with its own `stable` view, checked against the file's type. */
export const dataFile = <T>(name: string, data: T, stable?: (data: T) => unknown): DataFile =>
  ({ name, data, ...(stable ? { stable } : {}) }) as DataFile;

/**
 * Writes the data files, then health.json, then the manifest that points at them, so a
 * reader who sees a new changedAt in index.json always finds that content on disk. A
 * failed write is recorded on the output source (shown in health.json) and retried on
 * the next cycle.
 */
export class Publisher {
  private readonly writer: DataWriter;
  private lastHeartbeat = 0;
  /** A file polled directly is listed with when it was first written, which stands while it changes. */
  private readonly firstWritten = new Map<string, string>();

  constructor(
    outputDir: string,
    private readonly meta: PublishMeta,
    private readonly output: SourceStatus,
    published?: PublishedFiles,
  ) {
    this.writer = new DataWriter(outputDir, published);
  }

  async publish(files: DataFile[], health: Health, now = new Date(), texts: TextFile[] = []): Promise<void> {
    const heartbeatDue = this.heartbeatDue(now);
    let failed = false;
    for (const f of files) failed = !(await this.put(f.name, f.data, f.stable)) || failed;
    for (const t of texts) failed = !(await this.putText(t)) || failed;
    if (!failed) this.output.ok(null, now);
    const withOutput = { ...health, sources: health.sources.map((s) => (s.id === this.output.id ? this.output.health() : s)) };
    await this.put('health', withOutput, (h) => ({ ...h, generatedAt: null, sources: h.sources.map(stableHealth) }));

    // The beat has a file of its own, so the manifest changes only when some file's changedAt does.
    const heartbeat: Heartbeat = { ...envelope(now.toISOString()), heartbeatAt: now.toISOString(), heartbeatSeconds: this.meta.heartbeatSeconds };
    const beat = await this.put('heartbeat', heartbeat, () => null, heartbeatDue);

    const manifest: Manifest = {
      ...envelope(now.toISOString()),
      sidecar: { version: this.meta.version, startedAt: this.meta.startedAt },
      heartbeatSeconds: this.meta.heartbeatSeconds,
      intervals: this.meta.intervals,
      ...(this.meta.demo ? { demo: true } : {}),
      files: DATA_FILES.filter((f) => f.name !== 'index').map((f) => ({
        name: f.name,
        path: dataPath(f.name),
        schema: schemaPath(f.name),
        changedAt: this.listedChangedAt(f.name),
        description: f.description,
        ...(POLLED_DIRECTLY.includes(f.name) ? { polled: 'directly' as const } : {}),
      })),
    };
    await this.put('index', manifest, (m) => ({ ...m, generatedAt: null }));
    if (beat && heartbeatDue) this.lastHeartbeat = now.getTime();
  }

  private listedChangedAt(name: (typeof DATA_FILES)[number]['name']): string | null {
    const changedAt = this.writer.changedAt(dataPath(name));
    if (!POLLED_DIRECTLY.includes(name)) return changedAt;
    if (changedAt === null) {
      this.firstWritten.delete(name);
      return null;
    }
    if (!this.firstWritten.has(name)) this.firstWritten.set(name, changedAt);
    return this.firstWritten.get(name)!;
  }

  private heartbeatDue(now: Date | number): boolean {
    return this.meta.heartbeatSeconds > 0 && beatDue(this.lastHeartbeat, +now, this.meta.heartbeatSeconds);
  }

  /**
   * With each heartbeat, files deleted underneath are noticed; the caller then hands in
   * every file it has not written since (see `written`), and they come back.
   */
  async forgetMissing(now = new Date()): Promise<void> {
    if (this.heartbeatDue(now)) await this.writer.forgetMissing();
  }

  written(relPath: string): boolean {
    return this.writer.changedAt(relPath) !== null;
  }

  /** Returns false when the write failed. */
  private async put<T>(name: string, data: T, stable?: (d: T) => unknown, force = false): Promise<boolean> {
    return this.attempt(dataPath(name), () => this.writer.write(dataPath(name), data, { stable, force }));
  }

  private async putText(t: TextFile): Promise<boolean> {
    return this.attempt(t.path, () => this.writer.writeText(t.path, t.text, t.stable, this.heartbeatDue(Date.now())));
  }

  private async attempt(file: string, write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
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

/**
 * What goes out once a beat is due after half a beat: the heartbeat timer's publish may start
 * a little less than a beat after the last one (that one waited behind another publish), and
 * a beat missed there would go a whole beat late.
 */
export const beatDue = (lastMs: number, nowMs: number, heartbeatSeconds: number): boolean => nowMs - lastMs >= heartbeatSeconds * 500;

/** The parts of a health entry that change on every poll, left out when deciding whether to rewrite. */
export function stableHealth(h: SourceHealth): Omit<SourceHealth, 'lastOkAt' | 'lastCheckedAt' | 'latencyMs'> {
  const { lastOkAt: _a, lastCheckedAt: _b, latencyMs: _c, ...rest } = h;
  return rest;
}
