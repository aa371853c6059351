import { envelope, type Live, type LiveInstance, type SourceHealth } from '../contract/index.js';
import type { RcloneStats } from '../normalize/rcloneStats.js';
import type { RclonePoll } from '../sources/rclone.js';
import { StallWatch } from './stalls.js';
import type { ThroughputTracker } from './throughput.js';

type Counters = Live['total'];

/** rclone's global totalTransfers counts the queue only from 1.73.1 on (per group it always did). */
const EXACT_QUEUE_FROM = [1, 73, 1];
/** rclone lists the source before it transfers: listed rising within this long, with nothing in flight, is a scan. */
const SCAN_MS = 10_000;

/** The latest view of every rclone instance, and their sum. */
export class LiveView {
  private readonly instances = new Map<string, LiveInstance>();
  private readonly stalls = new StallWatch();
  private readonly listed = new Map<string, { count: number; scanSeenAtMs: number | null }>();

  constructor(
    names: readonly string[],
    private readonly throughput: ThroughputTracker,
  ) {
    for (const name of names) this.instances.set(name, emptyInstance(name, 'missing', null));
  }

  /** Takes one poll in; returns the bytes the instance moved since its previous poll. */
  apply(poll: RclonePoll, state: SourceHealth['state']): { bytesMoved: number } {
    const { rate: speed, bytesMoved, startedOver } = this.throughput.observe(poll.instance, poll.at, poll.stats, poll.executeId);
    const s = poll.stats;
    const prev = this.instances.get(poll.instance);
    const countersRestarted = startedOver ? { at: poll.at.toISOString(), reason: startedOver } : prev?.countersRestarted;
    if (!s) {
      // Nothing is in flight on an instance that does not answer; its finished work lives on in transfers.json.
      this.instances.set(poll.instance, {
        ...emptyInstance(poll.instance, state, prev?.lastSeenAt ?? null),
        ...(countersRestarted ? { countersRestarted } : {}),
      });
      return { bytesMoved };
    }
    const atMs = poll.at.getTime();
    const transferring = this.stalls.apply(poll.instance, atMs, s.transferring);
    const moving = transferring.some((t) => !t.stalledSince);
    const queuedExact = poll.version !== null && atLeast(poll.version, EXACT_QUEUE_FROM);
    this.instances.set(poll.instance, {
      name: poll.instance,
      state,
      lastSeenAt: poll.at.toISOString(),
      speed,
      speedAvg: s.speedAvg,
      ...(s.transferTime ? { uploadSpeedAvg: s.bytes / s.transferTime } : {}),
      phase: this.phase(poll.instance, atMs, s),
      bytes: s.bytes,
      totalBytes: s.totalBytes,
      // rclone's total ETA divides by an average that holds while nothing moves: unknown once every file is stalled.
      eta: transferring.length && !moving ? null : s.eta,
      transfers: s.transfers,
      totalTransfers: s.totalTransfers,
      checks: s.checks,
      totalChecks: s.totalChecks,
      errors: s.errors,
      inFlight: transferring.length,
      queued: Math.max(0, s.totalTransfers - s.transfers - transferring.length),
      queuedExact,
      moved: s.renames,
      removedFromSource: s.deletes,
      lastError: s.lastError,
      fatalError: s.fatalError,
      retryError: s.retryError,
      ...(s.listed !== undefined ? { listed: s.listed } : {}),
      ...(s.serverSideMoves !== undefined ? { serverSideMoves: s.serverSideMoves } : {}),
      ...(s.serverSideCopies !== undefined ? { serverSideCopies: s.serverSideCopies } : {}),
      ...(countersRestarted ? { countersRestarted } : {}),
      transferring,
      checking: s.checking,
    });
    return { bytesMoved };
  }

  toLive(generatedAt: string): Live {
    const instances = [...this.instances.values()];
    const sum = (k: keyof Counters & keyof LiveInstance) => instances.reduce((n, i) => n + (i[k] as number), 0);
    const remaining = sum('totalBytes') - sum('bytes');
    const speed = sum('speed');
    // Instances run side by side: the whole is done when the slowest is. One that cannot
    // say (stalled, or rclone does not know) leaves the others' estimate standing.
    const etas = instances.map((i) => i.eta).filter((e): e is number => e !== null);
    return {
      ...envelope(generatedAt),
      total: {
        speed,
        bytes: sum('bytes'),
        totalBytes: sum('totalBytes'),
        eta: etas.length ? Math.max(...etas) : speed > 0 && remaining > 0 ? Math.round(remaining / speed) : null,
        transfers: sum('transfers'),
        totalTransfers: sum('totalTransfers'),
        checks: sum('checks'),
        totalChecks: sum('totalChecks'),
        errors: sum('errors'),
        inFlight: sum('inFlight'),
        queued: sum('queued'),
        queuedExact: instances.every((i) => i.queuedExact || i.state !== 'ok'),
        moved: sum('moved'),
        removedFromSource: sum('removedFromSource'),
        activeInstances: instances.filter((i) => i.state === 'ok' && i.phase !== 'idle').length,
      },
      instances,
      throughput: { windowSeconds: this.throughput.windowSeconds, points: this.throughput.series() },
    };
  }

  private phase(instance: string, atMs: number, s: RcloneStats): LiveInstance['phase'] {
    const busy = s.transferring.length > 0 || s.checking.length > 0;
    const prev = this.listed.get(instance);
    if (s.listed !== undefined && (!prev || prev.count !== s.listed)) {
      // A change with nothing in flight is the scan before an upload (a count that went back, a
      // new run starting one). The first reading shows no change, and listing beside transfers is no scan.
      this.listed.set(instance, { count: s.listed, scanSeenAtMs: prev && !busy ? atMs : (prev?.scanSeenAtMs ?? null) });
    }
    if (s.transferring.length) return 'transferring';
    if (s.checking.length) return 'checking';
    const seen = s.listed !== undefined ? this.listed.get(instance)?.scanSeenAtMs : null;
    return seen != null && atMs - seen < SCAN_MS ? 'scanning' : 'idle';
  }
}

function atLeast(version: readonly number[], floor: readonly number[]): boolean {
  for (let i = 0; i < floor.length; i++) {
    const v = version[i] ?? 0;
    if (v !== floor[i]) return v > floor[i]!;
  }
  return true;
}

function emptyInstance(name: string, state: SourceHealth['state'], lastSeenAt: string | null): LiveInstance {
  return {
    name,
    state,
    lastSeenAt,
    speed: 0,
    speedAvg: 0,
    phase: 'idle',
    bytes: 0,
    totalBytes: 0,
    eta: null,
    transfers: 0,
    totalTransfers: 0,
    checks: 0,
    totalChecks: 0,
    errors: 0,
    inFlight: 0,
    queued: 0,
    queuedExact: true,
    moved: 0,
    removedFromSource: 0,
    lastError: null,
    fatalError: false,
    retryError: false,
    transferring: [],
    checking: [],
  };
}

/** live.json without what changes on every poll even when nothing happens. */
export function stableLive(live: Live): unknown {
  return { ...live, generatedAt: null, instances: live.instances.map((i) => ({ ...i, lastSeenAt: null })) };
}
