import type { Live, LiveInstance, SourceHealth } from '../contract/index.js';
import type { RclonePoll } from '../sources/rclone.js';
import type { ThroughputTracker } from './throughput.js';

type Counters = Live['total'];

/** The latest view of every rclone instance, and their sum. */
export class LiveView {
  private readonly instances = new Map<string, LiveInstance>();

  constructor(
    names: readonly string[],
    private readonly throughput: ThroughputTracker,
  ) {
    for (const name of names) this.instances.set(name, emptyInstance(name, 'missing', null));
  }

  /** Takes one poll in; returns the bytes the instance moved since its previous poll. */
  apply(poll: RclonePoll, state: SourceHealth['state']): { bytesMoved: number } {
    const { rate: speed, bytesMoved } = this.throughput.observe(poll.instance, poll.at, poll.stats);
    const s = poll.stats;
    if (!s) {
      // Nothing is in flight on an instance that does not answer; its finished work lives on in transfers.json.
      const prev = this.instances.get(poll.instance);
      this.instances.set(poll.instance, emptyInstance(poll.instance, state, prev?.lastSeenAt ?? null));
      return { bytesMoved };
    }
    this.instances.set(poll.instance, {
      name: poll.instance,
      state,
      lastSeenAt: poll.at.toISOString(),
      speed,
      speedAvg: s.speedAvg,
      bytes: s.bytes,
      totalBytes: s.totalBytes,
      eta: s.eta,
      transfers: s.transfers,
      totalTransfers: s.totalTransfers,
      checks: s.checks,
      totalChecks: s.totalChecks,
      errors: s.errors,
      inFlight: s.transferring.length,
      lastError: s.lastError,
      fatalError: s.fatalError,
      retryError: s.retryError,
      ...(s.listed !== undefined ? { listed: s.listed } : {}),
      transferring: s.transferring,
      checking: s.checking,
    });
    return { bytesMoved };
  }

  toLive(generatedAt: string): Live {
    const instances = [...this.instances.values()];
    const sum = (k: keyof Counters & keyof LiveInstance) => instances.reduce((n, i) => n + (i[k] as number), 0);
    const remaining = sum('totalBytes') - sum('bytes');
    const speed = sum('speed');
    const etas = instances.map((i) => i.eta).filter((e): e is number => e !== null);
    return {
      schemaVersion: 1,
      generatedAt,
      total: {
        speed,
        bytes: sum('bytes'),
        totalBytes: sum('totalBytes'),
        // Instances run side by side: the whole is done when the slowest is.
        eta: etas.length ? Math.max(...etas) : speed > 0 && remaining > 0 ? Math.round(remaining / speed) : null,
        transfers: sum('transfers'),
        totalTransfers: sum('totalTransfers'),
        checks: sum('checks'),
        totalChecks: sum('totalChecks'),
        errors: sum('errors'),
        inFlight: sum('inFlight'),
        activeInstances: instances.filter((i) => i.state === 'ok' && (i.inFlight > 0 || i.checking.length > 0)).length,
      },
      instances,
      throughput: { windowSeconds: this.throughput.windowSeconds, points: this.throughput.series() },
    };
  }
}

function emptyInstance(name: string, state: SourceHealth['state'], lastSeenAt: string | null): LiveInstance {
  return {
    name,
    state,
    lastSeenAt,
    speed: 0,
    speedAvg: 0,
    bytes: 0,
    totalBytes: 0,
    eta: null,
    transfers: 0,
    totalTransfers: 0,
    checks: 0,
    totalChecks: 0,
    errors: 0,
    inFlight: 0,
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
