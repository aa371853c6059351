import type { ResolvedConfig } from './config/schema.js';

/** Poll and write cadence, all derived from --interval so one setting tunes everything. */
export interface Timing {
  intervalMs: number;
  /** Shorter than the interval, so a slow rclone never makes polls pile up. */
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
    timeoutMs: Math.round(Math.min(10_000, Math.max(150, intervalMs * 0.75))),
    maxBackoffMs: intervalMs * 2,
    heartbeatSeconds: Math.max(5, config.intervalSeconds * 3),
    throughputWindowSeconds: 600,
  };
}
