import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { CloudplowLayout } from '../config/cloudplowLayout.js';
import type { LogEvent, Transfer } from '../contract/index.js';
import { naturalCompare } from '../normalize/naturalCompare.js';
import type { Refusal } from '../normalize/saRefusals.js';
import { CacheDb } from './cacheDb.js';
import type { CloudplowSnapshot } from './cloudplowSnapshot.js';
import { LogFollower } from './logFollower.js';
import { readHint } from './readHint.js';
import { SourceStatus } from './sourceStatus.js';
import { TransferStatsFollower } from './transferStatsFollower.js';
import { WatchedJsonFile } from './watchedJsonFile.js';

/** Change events are coalesced this long: json.dump writes a file in several chunks. */
const SETTLE_MS = 25;
/** A safety net for mounts where change events do not arrive (NFS, some Docker setups). */
const RECHECK_MS = 10_000;

export interface CloudplowSourceOptions {
  logLines: number;
  /** Something in cloudplow's state changed: publish. */
  onChange: () => void;
  /** New rows of transfer-stats.jsonl. */
  onTransfers: (transfers: Transfer[]) => void;
  /** Files rclone logged as copied or moved, newly read from cloudplow's log. */
  onCopied?: (events: LogEvent[]) => void;
  /** 403 rate limits and bans of an SA newly read from cloudplow's log (a re-read brings the same lines again). */
  onRefusals?: (refusals: Refusal[]) => void;
  /** An upload may have started: cloudplow's log moved ("Starting upload", rclone's lines), or its upload lock appeared. */
  onUploadStart?: () => void;
  /** SA changes and refusals read from cloudplow's log, the whole file's at the first read. */
  onLogCounts?: (events: LogEvent[]) => void;
  /** Whether a cloudplow process of this installation runs (null: cannot tell); asked only while the lock file is there. */
  cloudplowRunning?: () => boolean | null;
  onUnexpected?: (message: string) => void;
}

type Reader = () => Promise<boolean>;

/**
 * Everything plowboard reads of one cloudplow installation, kept as its last good
 * values. Files are read at start, when they change (chokidar on their folders) and on
 * a slow recheck. Nothing is ever written, locked or created in cloudplow's folders.
 */
export class CloudplowSource {
  private readonly quotaCache: WatchedJsonFile;
  private readonly sessionState: WatchedJsonFile;
  private readonly learnedSizes: WatchedJsonFile;
  private readonly cacheDb: CacheDb;
  private readonly log: LogFollower;
  private readonly transferStats: TransferStatsFollower;
  private readonly accountsStatus: SourceStatus;
  private serviceAccounts = new Map<string, string[]>();
  /** The uploaders with their SA lists: a new object only when a list changes. */
  private uploaders: CloudplowSnapshot['uploaders'];
  private lock: CloudplowSnapshot['lock'] = null;
  private readonly readers: Map<string, Reader>;
  private readonly due = new Set<string>();
  private settle: NodeJS.Timeout | null = null;
  private recheck: NodeJS.Timeout | null = null;
  private watcher: FSWatcher | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    readonly layout: CloudplowLayout,
    private readonly opts: CloudplowSourceOptions,
  ) {
    const forkOnly = 'Only the cloudplow fork writes it; upstream cloudplow works without it.';
    this.quotaCache = new WatchedJsonFile(layout.quotaCache, 'sa_quota_cache.json', forkOnly);
    this.sessionState = new WatchedJsonFile(layout.sessionState, 'dashboard_session_state.json', forkOnly);
    this.learnedSizes = new WatchedJsonFile(layout.learnedSizes, 'learned_sizes_cache.json', forkOnly);
    this.cacheDb = new CacheDb(layout.cacheDb);
    this.log = new LogFollower(layout.log, opts.logLines);
    this.transferStats = new TransferStatsFollower(layout.transferStats);
    this.uploaders = layout.uploaders.map((u) => ({ ...u, serviceAccounts: [] }));
    this.accountsStatus = new SourceStatus('cloudplow:service-accounts', 'cloudplow', 'service account folders', layout.uploaders.map((u) => u.serviceAccountPath).filter(Boolean).join(', ') || '(none configured)');
    this.quotaCache.status.foundBy = layout.foundBy.quotaCache;
    this.sessionState.status.foundBy = layout.foundBy.sessionState;
    this.learnedSizes.status.foundBy = layout.foundBy.learnedSizes;
    this.cacheDb.status.foundBy = layout.foundBy.cacheDb;
    this.log.status.foundBy = layout.foundBy.log;
    this.transferStats.status.foundBy = layout.foundBy.transferStats;
    this.accountsStatus.foundBy = 'service_account_path of each uploader in config.json';
    this.readers = new Map<string, Reader>([
      [layout.quotaCache, () => this.quotaCache.read()],
      [layout.sessionState, () => this.sessionState.read()],
      [layout.learnedSizes, () => this.learnedSizes.read()],
      [layout.cacheDb, () => this.cacheDb.read()],
      [`${layout.cacheDb}-journal`, () => this.cacheDb.read()],
      [layout.log, () => this.readLog()],
      [layout.transferStats, () => this.readTransferStats()],
      [layout.locksDir, () => this.readLock()],
      [path.join(layout.locksDir, 'upload.lock'), () => this.readLock()],
    ]);
  }

  get statuses(): SourceStatus[] {
    return [this.quotaCache.status, this.sessionState.status, this.learnedSizes.status, this.cacheDb.status, this.log.status, this.transferStats.status, this.accountsStatus];
  }

  /** Reads every file once. */
  async readAll(): Promise<void> {
    for (const reader of new Set(this.readers.values())) await this.guarded(reader);
    await this.listServiceAccounts();
  }

  /**
   * Every reader reports its own failures in health.json; this is the net under them, so
   * that a fault nobody foresaw costs one read, never the loop that reads everything else.
   */
  private async guarded(reader: Reader): Promise<boolean> {
    try {
      return await reader();
    } catch (err) {
      this.opts.onUnexpected?.(`reading cloudplow's files failed: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }

  async start(): Promise<void> {
    const folders = [...new Set([...this.readers.keys()].map((p) => path.dirname(p)).filter((d) => d !== this.layout.locksDir))];
    const wanted = new Set([...this.readers.keys(), ...folders]);
    this.watcher = watch(folders, {
      ignoreInitial: true,
      depth: 1,
      // Only our files: cloudplow's folder may hold much else, and the log changes constantly.
      ignored: (p: string) => !wanted.has(p) && path.dirname(p) !== this.layout.locksDir,
    });
    this.watcher.on('all', (_event, p) => this.changed(path.dirname(p) === this.layout.locksDir ? this.layout.locksDir : p));
    // inotify can run out of watches: the recheck below still reads every file, so a
    // watcher error costs latency, not data. It is said once, where people look.
    this.watcher.once('error', (err) => this.opts.onUnexpected?.(`watching cloudplow's files failed (${err instanceof Error ? err.message : String(err)}); they are still reread every 10 s`));
    const tick = () => {
      for (const p of this.readers.keys()) this.due.add(p);
      void this.flush().then(() => this.listServiceAccounts().then((changed) => changed && this.changedNow()));
      this.recheck = setTimeout(tick, RECHECK_MS);
    };
    this.recheck = setTimeout(tick, RECHECK_MS);
  }

  async stop(): Promise<void> {
    if (this.settle) clearTimeout(this.settle);
    if (this.recheck) clearTimeout(this.recheck);
    await this.watcher?.close();
    await this.running;
  }

  snapshot(): CloudplowSnapshot {
    const bans = this.cacheDb.current;
    const log = this.log.snapshot();
    return {
      uploaders: this.uploaders,
      quotaCache: this.quotaCache.current,
      sessionState: this.sessionState.current,
      learnedSizes: this.learnedSizes.current,
      saBans: bans.saBans,
      uploaderBans: bans.uploaderBans,
      log: { file: log.file, lines: log.lines, events: log.events, lastLineAtMs: log.lastLineAtMs },
      lock: this.lock,
    };
  }

  /**
   * True when no upload is under way and one starting would be heard: the log is read (its
   * "Starting upload" calls onUploadStart) and neither it nor the upload lock says a run is on.
   */
  quietBetweenUploads(): boolean {
    return this.log.status.current === 'ok' && !this.lock?.present && !this.log.runUnderWay();
  }

  /** Goes up with every change to what snapshot() returns, so readers can skip work when it has not moved. */
  version = 0;

  private changedNow(): void {
    this.version++;
    this.opts.onChange();
  }

  private changed(p: string): void {
    if (!this.readers.has(p)) return;
    this.due.add(p);
    if (this.settle) return;
    this.settle = setTimeout(() => {
      this.settle = null;
      void this.flush();
    }, SETTLE_MS);
  }

  /** Reads what is due, one file at a time, never two flushes at once. */
  private flush(): Promise<void> {
    this.running = this.running.then(async () => {
      const paths = [...this.due];
      this.due.clear();
      const states = this.statuses.map((s) => s.current).join();
      let changed = false;
      for (const reader of new Set(paths.map((p) => this.readers.get(p)!))) changed = (await this.guarded(reader)) || changed;
      if (changed) this.changedNow();
      // A file that turned bad (or good again) changes health.json even when no value moved.
      else if (this.statuses.map((s) => s.current).join() !== states) this.opts.onChange();
    });
    return this.running;
  }

  private async readLog(): Promise<boolean> {
    const changed = await this.log.read();
    const copied = this.log.takeCopied();
    if (copied.length) this.opts.onCopied?.(copied);
    const refused = this.log.takeRefusals();
    if (refused.length) this.opts.onRefusals?.(refused);
    if (this.log.takeLinesArrived()) this.opts.onUploadStart?.();
    const counted = this.log.takeCounted();
    if (counted.length) this.opts.onLogCounts?.(counted);
    return changed;
  }

  private async readTransferStats(): Promise<boolean> {
    const rows = await this.transferStats.read();
    if (rows.length) this.opts.onTransfers(rows);
    return rows.length > 0;
  }

  private async readLock(): Promise<boolean> {
    const st = await stat(path.join(this.layout.locksDir, 'upload.lock')).catch(() => null);
    const lock = { present: st !== null, sinceMs: st ? Math.round(st.mtimeMs) : null, ownerRunning: st ? (this.opts.cloudplowRunning?.() ?? null) : null };
    const changed = JSON.stringify(lock) !== JSON.stringify(this.lock);
    const appeared = lock.present && this.lock !== null && !this.lock.present;
    this.lock = lock;
    if (appeared) this.opts.onUploadStart?.();
    return changed;
  }

  /** The SA files' names only: their content holds private keys and is never read. */
  private async listServiceAccounts(): Promise<boolean> {
    const next = new Map<string, string[]>();
    const problems: string[] = [];
    let code: string | undefined;
    for (const u of this.layout.uploaders) {
      if (!u.serviceAccountPath) continue;
      try {
        const names = (await readdir(u.serviceAccountPath)).filter((n) => n.endsWith('.json')).sort(naturalCompare);
        next.set(u.name, names.map((n) => path.join(u.serviceAccountPath!, n)));
      } catch (err) {
        code = (err as NodeJS.ErrnoException).code;
        problems.push(`cannot list ${u.serviceAccountPath} for uploader ${u.name}: ${code ?? (err as Error).message}`);
        next.set(u.name, this.serviceAccounts.get(u.name) ?? []);
      }
    }
    if (problems.length) this.accountsStatus.fail(code === 'ENOENT' ? 'missing' : 'error', problems.join('; '), { hint: `Accounts never used do not show until the folder can be listed. ${readHint(code)}` });
    else if (next.size) this.accountsStatus.ok(null);
    else this.accountsStatus.fail('missing', 'no uploader has a service_account_path', { hint: 'Uploads without service accounts show no SA pool.' });
    const changed = JSON.stringify([...next]) !== JSON.stringify([...this.serviceAccounts]);
    if (changed) {
      this.serviceAccounts = next;
      this.uploaders = this.layout.uploaders.map((u) => ({ ...u, serviceAccounts: next.get(u.name) ?? [] }));
    }
    return changed;
  }
}
