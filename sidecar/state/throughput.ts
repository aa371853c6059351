import type { ThroughputPoint } from '../contract/index.js';
import type { RcloneStats } from '../normalize/rcloneStats.js';
import { RunTracker, type StartedOver } from './rcloneRun.js';

/**
 * Recent throughput per instance. The rate is the change in rclone's byte counter between
 * two polls, which counts files that finished in between. When the counters started over
 * (a new rclone, as cloudplow starts one per SA), all the new counter moved since the
 * previous reading: so the rate never exceeds what moved, and no byte is lost or counted
 * twice. With no previous reading at all the in-flight files' current rates stand in.
 * A point is added only when the rate changes, so a quiet rclone rewrites nothing.
 */
export class ThroughputTracker {
  private readonly runs = new RunTracker();
  private readonly rate = new Map<string, number>();
  private points: ThroughputPoint[] = [];

  constructor(readonly windowSeconds: number) {}

  /** Records one poll; returns the current rate in bytes per second, the bytes moved since the last poll, and whether the counters started over. */
  observe(
    instance: string,
    at: Date,
    stats: RcloneStats | null,
    executeId: string | null = null,
  ): { rate: number; bytesMoved: number; startedOver: StartedOver | null } {
    const atMs = at.getTime();
    const { previous, startedOver } = this.runs.observe(instance, atMs, stats, executeId);
    let rate = 0;
    let bytesMoved = 0;
    if (stats && previous) {
      const dt = (atMs - previous.atMs) / 1000;
      bytesMoved = startedOver ? stats.bytes : stats.bytes - previous.bytes;
      rate = dt > 0 ? bytesMoved / dt : 0;
    } else if (stats) {
      rate = stats.transferring.reduce((sum, t) => sum + t.speedAvg, 0);
    }
    rate = Math.round(rate);
    if (this.rate.get(instance) !== rate) {
      this.rate.set(instance, rate);
      this.points.push({ t: at.toISOString(), instance, bytesPerSecond: rate });
    }
    this.trim(atMs);
    return { rate, bytesMoved, startedOver };
  }

  current(instance: string): number {
    return this.rate.get(instance) ?? 0;
  }

  series(): ThroughputPoint[] {
    return this.points;
  }

  /** Drops points older than the window, but keeps each instance's last one: its value still holds. */
  private trim(nowMs: number): void {
    const cutoff = nowMs - this.windowSeconds * 1000;
    const held = new Map<string, ThroughputPoint>();
    const recent: ThroughputPoint[] = [];
    for (const p of this.points) {
      if (Date.parse(p.t) < cutoff) held.set(p.instance, p);
      else recent.push(p);
    }
    this.points = [...held.values(), ...recent];
  }
}
