import type { RcloneStats } from '../normalize/rcloneStats.js';

export type StartedOver = 'restart' | 'reset';

interface Reading {
  atMs: number;
  bytes: number;
  elapsedTime: number;
  executeId: string | null;
}

/** rclone's clock and ours disagree by a request's latency: less than this is not "went back". */
const CLOCK_SLACK_SECONDS = 1;

/**
 * Tells when an instance's counters started over, so the bytes it reports are counted
 * from zero instead of against a reading of another process. cloudplow starts a new
 * rclone for every SA, so this is the normal case, not an accident:
 * - a new executeId (job/list, rclone 1.64+) is a new process, the same one is not;
 * - the byte counter or elapsedTime going back is a new process or a core/stats-reset;
 *   without an id, counters younger than the previous reading are called a restart;
 * - after the RC stopped answering, a process younger than the gap is a new one even when
 *   its counters already passed the old ones (elapsedTime runs from the process's first
 *   core/stats answer, so its age is at most the gap).
 * The last reading is kept across a gap: the first poll of the next rclone then counts
 * everything that rclone moved, instead of nothing.
 */
export class RunTracker {
  private readonly last = new Map<string, Reading>();
  /** Instances whose RC did not answer since their last reading. */
  private readonly gap = new Set<string>();

  observe(instance: string, atMs: number, stats: RcloneStats | null, executeId: string | null): { previous: Reading | null; startedOver: StartedOver | null } {
    if (!stats) {
      if (this.last.has(instance)) this.gap.add(instance);
      return { previous: this.last.get(instance) ?? null, startedOver: null };
    }
    const previous = this.last.get(instance) ?? null;
    const afterGap = this.gap.delete(instance);
    const startedOver = previous ? this.startedOver(previous, atMs, stats, executeId, afterGap) : null;
    // An id read before a restart that job/list did not see belongs to the old process.
    const id = executeId ?? (startedOver ? null : (previous?.executeId ?? null));
    this.last.set(instance, { atMs, bytes: stats.bytes, elapsedTime: stats.elapsedTime, executeId: id });
    return { previous, startedOver };
  }

  private startedOver(previous: Reading, atMs: number, stats: RcloneStats, executeId: string | null, afterGap: boolean): StartedOver | null {
    const sameProcess = executeId !== null && previous.executeId !== null ? executeId === previous.executeId : null;
    if (sameProcess === false) return 'restart';
    const sinceSeconds = (atMs - previous.atMs) / 1000;
    if (stats.bytes < previous.bytes || stats.elapsedTime + CLOCK_SLACK_SECONDS < previous.elapsedTime) {
      // Without an id, counters younger than the previous reading are most likely a new
      // process: nothing plowboard or cloudplow does resets them in place.
      return sameProcess === null && stats.elapsedTime < sinceSeconds + CLOCK_SLACK_SECONDS ? 'restart' : 'reset';
    }
    if (afterGap && sameProcess === null && stats.elapsedTime + CLOCK_SLACK_SECONDS < previous.elapsedTime + sinceSeconds) return 'restart';
    return null;
  }
}
