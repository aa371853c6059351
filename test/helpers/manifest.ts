import { DATA_FILES, POLLED_DIRECTLY, dataPath, schemaPath, type Heartbeat, type Manifest } from '../../sidecar/contract/index.js';

export interface ManifestOptions {
  /** When it was written: its generatedAt (and heartbeat.json's heartbeatAt). */
  now?: string;
  /** The sidecar's start; `now` by default. */
  startedAt?: string;
  /** 0 is what a one-off `plowboard build` writes. */
  heartbeatSeconds?: number;
  intervals?: Partial<Manifest['intervals']>;
  /** A changedAt for each data file written; files not named were never written: the page must not ask for them. */
  changed?: Record<string, string>;
}

/** data/index.json as the sidecar writes it, listing every data file of the contract. */
export function buildManifest(opts: ManifestOptions = {}): Manifest {
  const now = opts.now ?? new Date().toISOString();
  return {
    schemaVersion: 1,
    generatedAt: now,
    sidecar: { version: '0.1.0', startedAt: opts.startedAt ?? now },
    heartbeatSeconds: opts.heartbeatSeconds ?? 30,
    intervals: { activeSeconds: 2, idleSeconds: 2, maxBackoffSeconds: 30, ...opts.intervals },
    files: DATA_FILES.filter((f) => f.name !== 'index').map((f) => ({
      name: f.name,
      path: dataPath(f.name),
      schema: schemaPath(f.name),
      changedAt: opts.changed?.[f.name] ?? null,
      description: f.description,
      ...(POLLED_DIRECTLY.includes(f.name) ? { polled: 'directly' as const } : {}),
    })),
  };
}

/** data/heartbeat.json as the sidecar writes it. */
export function buildHeartbeat(at: string, heartbeatSeconds: number): Heartbeat {
  return { schemaVersion: 1, generatedAt: at, heartbeatAt: at, heartbeatSeconds };
}

export interface TouchOptions {
  /** An old heartbeat: a stopped sidecar (or, with heartbeatSeconds 0, a static build that old). */
  heartbeatMsAgo?: number;
  heartbeatSeconds?: number;
  /** Files whose changedAt moves to now, so pages fetch them again. */
  changed?: readonly string[];
}

/** The manifest and heartbeat after a sidecar cycle: a new beat, and a new changedAt for the files named. */
export function touchManifest(m: Manifest, opts: TouchOptions = {}): { manifest: Manifest; heartbeat: Heartbeat } {
  const now = new Date();
  const beat = new Date(now.getTime() - (opts.heartbeatMsAgo ?? 0)).toISOString();
  const heartbeatSeconds = opts.heartbeatSeconds ?? m.heartbeatSeconds;
  const manifest = {
    ...m,
    generatedAt: beat,
    heartbeatSeconds,
    files: m.files.map((f) => (opts.changed?.includes(f.name) ? { ...f, changedAt: now.toISOString() } : f)),
  };
  return { manifest, heartbeat: buildHeartbeat(beat, heartbeatSeconds) };
}
