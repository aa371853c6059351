import type { ResolvedConfig } from './schema.js';

/** Poll and write cadence, all derived from --interval so one setting tunes everything. */
export interface Timing {
  intervalMs: number;
  /**
   * Polls never overlap (the next is scheduled when one ends), so the timeout need not be
   * shorter than the interval: at least a second, because an rclone busy with a stalled
   * transfer was seen taking over 375 ms to answer and read as failing for 30 % of a 0.5 s run.
   */
  timeoutMs: number;
  /** A failing rclone is asked half as often, never less: it is seen again within two intervals of recovering. */
  maxBackoffMs: number;
  heartbeatSeconds: number;
  throughputWindowSeconds: number;
}

export function timingFor(config: Pick<ResolvedConfig, 'intervalSeconds'>): Timing {
  const intervalMs = config.intervalSeconds * 1000;
  return {
    intervalMs,
    timeoutMs: Math.round(Math.min(10_000, Math.max(1000, intervalMs * 0.75))),
    maxBackoffMs: intervalMs * 2,
    heartbeatSeconds: Math.max(5, config.intervalSeconds * 3),
    throughputWindowSeconds: 600,
  };
}
