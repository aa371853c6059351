import { appendFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CacheDbWriter } from './cacheDbWriter.js';
import { QuotaCache, SessionFile, TransferStats } from './forkFiles.js';
import { GiB, SA_QUOTA, TRIGGER, TRIGGER_COUNT, UPLOADER, type Installation } from './installation.js';
import { writeLearnedSizes } from './learnedSizes.js';
import { planBatch, writeBatch, type PlannedFile } from './library.js';
import { LogWriter, rcloneStamp } from './logWriter.js';
import { RcloneRun } from './rcloneProcess.js';

export interface DriverOptions {
  inst: Installation;
  quota: QuotaCache;
  rclone: { bin: string; addr: string; user: string; pass: string };
  /** How long each SA uploads before "Google" refuses it with 403s and cloudplow moves on. */
  saSeconds: number;
  /** rclone's --bwlimit: the demo's files take seconds each, so they are seen in flight. */
  bwlimit: string;
  /** The wait between two upload runs (cloudplow's check_interval, shortened). */
  pauseSeconds: number;
  /** Something went wrong in the demo itself (not in what it shows). */
  onProblem: (message: string) => void;
}

type Outcome = 'done' | 'trigger' | 'stopped';

const POLL_MS = 500;
/** Files in the upload folder at the start of each run: about 300 MiB, two or three minutes at 2 MiB/s. */
const BATCH_FILES = 60;
const TRANSFERS = 4;

/**
 * Plays cloudplow's part: runs upload sessions over a pool of SAs the way the fork does —
 * its log lines, its session file, quota cache, transfer-stats.jsonl, lock and bans — with
 * a new real `rclone rcd` per SA and per stage doing a real `sync/move` of real files to a
 * `:memory:` remote. Two things a memory remote never does are staged: Google's 403 at the
 * end of each SA's turn (the line rclone prints for it is written into the log, as cloudplow
 * would have read it), and a failed file (one file grows while rclone reads it, so rclone
 * itself fails it: "corrupted on transfer").
 */
export class UploadDriver {
  private readonly log: LogWriter;
  private readonly session: SessionFile;
  private readonly stats: TransferStats;
  private readonly db: CacheDbWriter;
  private readonly bans = new Map<string, number>();
  private run: RcloneRun | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private batch = 0;
  private current: string | null = null;
  /** Sizes and speeds of what rclone had in flight at the last poll: a Copied line names only the file. */
  private readonly inFlight = new Map<string, { size: number; speed: number }>();
  private planned = new Map<string, number>();
  private readonly finishedSizes: number[] = [];
  private grown = false;
  /** What the current stage finished: the fork adds it to its session counters again when the stage ends. */
  private stageDone = { files: 0, bytes: 0 };

  constructor(private readonly opts: DriverOptions) {
    this.log = new LogWriter(opts.inst.log);
    this.session = new SessionFile(opts.inst.sessionState);
    this.stats = new TransferStats(opts.inst.transferStats, UPLOADER);
    this.db = new CacheDbWriter(opts.inst.cacheDb);
  }

  /** Pids of the rclone now running, for a caller that must be sure it is gone. */
  get rclonePid(): number | undefined {
    return this.run?.pid;
  }

  /** Starts the first session; resolves once rclone is up and moving files. */
  async start(): Promise<void> {
    let started!: () => void;
    const first = new Promise<void>((resolve) => (started = resolve));
    this.loop = (async () => {
      while (!this.stopped) {
        try {
          await this.uploadRun(started);
        } catch (err) {
          if (!this.stopped) this.opts.onProblem(`demo upload: ${err instanceof Error ? err.message : String(err)}`);
          await this.run?.kill();
          this.run = null;
        }
        started();
        await this.sleep(this.opts.pauseSeconds * 1000);
      }
    })();
    await first;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.run?.kill();
    await this.loop;
  }

  /** One `cloudplow upload`: a batch of files, SA after SA until it is all up or the pool is used. */
  private async uploadRun(started: () => void): Promise<void> {
    const { inst } = this.opts;
    this.batch++;
    // Topped up to a fixed count: a run cut short by the pool leaves files, and the folder must not grow without end.
    await writeBatch(inst.uploadFolder, planBatch(this.batch, Math.max(0, BATCH_FILES - this.filesLeft())));
    const plan = listFiles(inst.uploadFolder);
    this.planned = new Map(plan.map((f) => [f.name, f.size]));
    writeLearnedSizes(inst.learnedSizes, UPLOADER, inst.uploadFolder, plan.map((f) => f.size), this.finishedSizes);
    this.log.cloudplow('Starting upload');
    writeFileSync(inst.lock, '');
    const available = this.available();
    this.log.cloudplow(`There is ${available.length} available service accounts`);
    this.session.start(UPLOADER, available.length, inst.uploadFolder);
    this.session.setTotals(plan.length, plan.reduce((n, f) => n + f.size, 0));
    let outcome: Outcome = 'done';
    for (let i = 0; i < available.length && !this.stopped; i++) {
      const sa = available[i]!;
      outcome = await this.uploadWithSa(i, available.length, sa, started);
      if (outcome !== 'trigger') break;
      const until = Date.now() / 1000 + 25 * 3600;
      this.ban(sa, until);
      const next = available[i + 1];
      if (next) this.log.cloudplow(`Upload aborted due to trigger: Trigger reached limit being met, ${UPLOADER} is cycling to service_account file: ${next}`);
      else {
        this.log.cloudplow(`Upload aborted due to trigger: Trigger reached limit being met, ${UPLOADER} will continue automatic uploading normally in 25 hours`);
        // A demo that waited 25 hours would show nothing: the pool is given back for the next run.
        this.unbanAll();
      }
    }
    if (outcome === 'done') this.log.cloudplow(`Upload completed successfully for uploader: ${UPLOADER}`);
    this.log.cloudplow('Finished upload');
    // The fork leaves its session file saying active after a normal finish; plowboard is meant to see through that, so it is kept.
    rmSync(inst.lock, { force: true });
  }

  /** One SA's turn: stages (a new rclone each) until the folder is empty or Google says 403. */
  private async uploadWithSa(index: number, of: number, sa: string, started: () => void): Promise<Outcome> {
    const remaining = SA_QUOTA - this.opts.quota.used(sa);
    const params = stageParams(remaining);
    this.current = sa;
    this.grown = false;
    this.session.useSa(index, sa);
    const turnEnds = Date.now() + this.opts.saSeconds * 1000;
    for (let stage = 1; !this.stopped; stage++) {
      this.log.cloudplow(`SA ${index + 1}/${of} (${path.basename(sa)}), Stage ${stage}: ${(remaining / GiB).toFixed(1)} GB remaining`);
      this.session.stageParams(params);
      this.log.uploader('set_service_account', `Using service account: ${sa}`);
      this.log.cloudplow(`Starting stage ${stage} with: transfers=${params.transfers}, max-transfer=${params.max_transfer}, strategy=${params.strategy}`);
      this.log.uploader('upload', `Uploading '${this.opts.inst.uploadFolder}' to remote: ${UPLOADER}`);
      const outcome = await this.stage(turnEnds, started);
      if (outcome !== 'done' || this.filesLeft() === 0) {
        if (outcome === 'done') this.log.uploader('upload', `Finished uploading to remote: ${UPLOADER}`);
        return outcome;
      }
      // Something failed and is still in the folder: the fork starts another stage with a new rclone.
      this.log.cloudplow(`Stage ${stage} complete: uploaded what it could, ${this.filesLeft()} files left`);
    }
    return 'stopped';
  }

  /** One rclone: start it, move the folder, watch it until it is done, told to stop, or the SA's turn is over. */
  private async stage(turnEnds: number, started: () => void): Promise<Outcome> {
    const { inst, rclone } = this.opts;
    const run = new RcloneRun({ ...rclone, config: inst.rcloneConf, bwlimit: this.opts.bwlimit, transfers: TRANSFERS, onLine: (line) => this.onRcloneLine(line) });
    this.run = run;
    this.inFlight.clear();
    this.stageDone = { files: 0, bytes: 0 };
    try {
      await run.start();
      const { jobid } = await run.rc<{ jobid: number }>('sync/move', { srcFs: inst.uploadFolder, dstFs: ':memory:Media', _async: true });
      started();
      for (;;) {
        await this.sleep(POLL_MS);
        if (this.stopped) return 'stopped';
        await this.watch(run);
        const job = await run.rc<{ finished: boolean }>('job/status', { jobid });
        if (job.finished) return 'done';
        if (Date.now() >= turnEnds) {
          await this.refuse(run);
          return 'trigger';
        }
      }
    } finally {
      await run.kill();
      if (this.run === run) this.run = null;
      // The fork's update_transferred after each stage: every file of it counted a second time (its known fault, kept).
      this.session.stageDone(this.stageDone.files, this.stageDone.bytes);
    }
  }

  /** Reads rclone's in-flight list, and once per SA makes the file furthest from done grow while it is read. */
  private async watch(run: RcloneRun): Promise<void> {
    const stats = await run.rc<{ transferring?: Array<{ name: string; size: number; bytes: number; speedAvg?: number; speed?: number }> }>('core/stats');
    for (const t of stats.transferring ?? []) this.inFlight.set(t.name, { size: t.size, speed: t.speedAvg || t.speed || 0 });
    if (this.grown) return;
    const victim = (stats.transferring ?? []).filter((t) => t.size > 0 && t.bytes < t.size / 2).sort((a, b) => b.size - b.bytes - (a.size - a.bytes))[0];
    if (!victim) return;
    appendFileSync(path.join(this.opts.inst.uploadFolder, victim.name), Buffer.alloc(64 * 1024, 1));
    this.grown = true;
  }

  /** Google's daily limit, as rclone reports it: the line cloudplow's trigger counts, TRIGGER_COUNT times, then rclone is killed. */
  private async refuse(run: RcloneRun): Promise<void> {
    const names = [...this.inFlight.keys()];
    for (let n = 1; n <= TRIGGER_COUNT; n++) {
      const name = names[n % Math.max(1, names.length)] ?? 'TV';
      this.log.rclone(`${rcloneStamp(new Date())} ERROR : ${name}: ${TRIGGER}., userRateLimitExceeded`);
      if (n === 1) this.log.line('uploader', '__logic', `Tracked first occurrence of trigger: ${TRIGGER}. Expiring in 3600 seconds at ${localTime(Date.now() + 3600_000)}`, 'WARNING');
      else if (n < TRIGGER_COUNT) this.log.line('uploader', '__logic', `Tracked trigger: ${TRIGGER} has occurred ${n}/${TRIGGER_COUNT} times within 3600 seconds`, 'WARNING');
      else this.log.line('uploader', '__logic', `Tracked trigger ${TRIGGER} has reached the maximum limit of ${TRIGGER_COUNT} occurrences within 3600 seconds, aborting upload...`, 'WARNING');
    }
    await run.kill();
    this.log.uploader('upload', 'Trigger reached configuration limit.');
  }

  private onRcloneLine(line: string): void {
    this.log.rclone(line);
    const m = /\bINFO\s*:\s*(.+?): Copied \(/.exec(line);
    if (!m || !this.current) return;
    const name = m[1]!;
    const seen = this.inFlight.get(name);
    const size = seen?.size ?? this.planned.get(name) ?? null;
    if (size !== null) {
      this.opts.quota.add(this.current, size);
      this.session.fileDone(size);
      this.stageDone.files++;
      this.stageDone.bytes += size;
      this.finishedSizes.push(size);
    }
    this.stats.add({ filename: name, size, speed: seen?.speed ?? null, source: this.opts.inst.uploadFolder, destination: ':memory:Media' });
  }

  /** cloudplow's order: SAs not banned, by the digits in their names, skipping any with less than 1 GiB left. */
  private available(): string[] {
    const now = Date.now() / 1000;
    const seeded = this.opts.quota.entries;
    return this.opts.inst.accounts.filter((sa) => {
      const ban = this.bans.get(sa) ?? this.seededBan(sa);
      if (ban !== null && ban > now) return false;
      return SA_QUOTA - (seeded[sa]?.bytes ?? 0) >= GiB;
    });
  }

  /** The ban the installation was written with (SA 2). */
  private seededBan(sa: string): number | null {
    return this.opts.inst.seededBans[sa] ?? null;
  }

  private ban(sa: string, until: number): void {
    this.bans.set(sa, until);
    this.writeBans();
  }

  private unbanAll(): void {
    this.bans.clear();
    this.writeBans();
  }

  private writeBans(): void {
    const all = Object.fromEntries(this.opts.inst.accounts.map((sa) => [sa, this.bans.get(sa) ?? this.seededBan(sa)]));
    this.db.put('sa_bans', UPLOADER, all);
  }

  private filesLeft(): number {
    return countFiles(this.opts.inst.uploadFolder);
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1;
  return n;
}

/** The files under `dir` as rclone names them (relative, with /), and their sizes: what cloudplow's scan finds. */
function listFiles(dir: string, rel = ''): PlannedFile[] {
  const out: PlannedFile[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const name = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, name));
    else out.push({ name, size: statSync(path.join(dir, name)).size });
  }
  return out;
}

function localTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The fork's calculate_stage_params_quota_based: the tier follows the share of the SA's quota left. */
function stageParams(remaining: number): Record<string, unknown> {
  const pct = (remaining / SA_QUOTA) * 100;
  const g = (share: number) => `${Math.floor((remaining * share) / GiB)}G`;
  if (pct >= 80) return { strategy: 'aggressive_fresh_sa', max_transfer: g(0.5), max_size: g(0.8), transfers: 8, order_by: 'size,desc', max_backlog: 2000 };
  if (pct >= 50) return { strategy: 'moderate_mid_sa', max_transfer: g(0.6), max_size: g(0.5), transfers: 4, order_by: 'size,desc', max_backlog: 1000 };
  if (pct >= 25) return { strategy: 'cautious_low_quota', max_transfer: g(0.7), max_size: g(0.3), transfers: 6, order_by: null, max_backlog: null };
  return { strategy: 'conservative_cleanup', max_transfer: g(0.8), max_size: g(0.2), transfers: 8, order_by: null, max_backlog: null };
}

