import type { ResolvedConfig } from './schema.js';

/** Poll and write cadence, all derived from --interval so one setting tunes everything. */
export interface Timing {
  intervalMs: number;
  /**
   * Between uploads rclone is asked this often: most of a day nothing moves, and a poll every
   * interval is most of what an idle sidecar costs. Only while plowboard can hear an upload
   * begin (cloudplow's log or lock), which polls at once and goes back to `intervalMs`.
   */
  idleIntervalMs: number;
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

/** 10 s at the default 2 s interval: a few polls a minute keep an idle rclone's health current. */
const IDLE_INTERVAL_FACTOR = 5;
const IDLE_INTERVAL_CEILING_MS = 30_000;

/**
 * Between uploads the heartbeat is most of what a sidecar does, so not faster than this: a
 * page calls the sidecar stopped after two missed beats and an interval (22 s at the
 * default), soon enough for a wall screen, and an idle sidecar publishes six times a minute.
 */
const HEARTBEAT_FLOOR_SECONDS = 10;

export function timingFor(config: Pick<ResolvedConfig, 'intervalSeconds'>): Timing {
  const intervalMs = config.intervalSeconds * 1000;
  return {
    intervalMs,
    idleIntervalMs: Math.max(intervalMs, Math.min(IDLE_INTERVAL_CEILING_MS, intervalMs * IDLE_INTERVAL_FACTOR)),
    timeoutMs: Math.round(Math.min(10_000, Math.max(1000, intervalMs * 0.75))),
    maxBackoffMs: intervalMs * 2,
    heartbeatSeconds: Math.max(HEARTBEAT_FLOOR_SECONDS, config.intervalSeconds * 3),
    throughputWindowSeconds: 600,
  };
}
