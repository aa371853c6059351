import type { ThroughputPoint } from '../contract/index.js';
import type { RcloneStats } from '../normalize/rcloneStats.js';

interface Reading {
  atMs: number;
  bytes: number;
}

/**
 * Recent throughput per instance. The rate is the change in rclone's byte counter between
 * two polls, which counts files that finished in between; when the counter went back
 * (rclone restarted) or there is no previous reading, the in-flight speeds stand in.
 * A point is added only when the rate changes, so a quiet rclone rewrites nothing.
 */
export class ThroughputTracker {
  private readonly last = new Map<string, Reading>();
  private readonly rate = new Map<string, number>();
  private points: ThroughputPoint[] = [];

  constructor(readonly windowSeconds: number) {}

  /** Records one poll; returns the current rate in bytes per second and the bytes moved since the last poll. */
  observe(instance: string, at: Date, stats: RcloneStats | null): { rate: number; bytesMoved: number } {
    const atMs = at.getTime();
    let rate = 0;
    let bytesMoved = 0;
    if (stats) {
      const prev = this.last.get(instance);
      const dt = prev ? (atMs - prev.atMs) / 1000 : 0;
      const counted = prev && stats.bytes >= prev.bytes;
      // A counter that went back is a new rclone process: it counted from zero.
      bytesMoved = prev ? (counted ? stats.bytes - prev.bytes : stats.bytes) : 0;
      rate = counted && dt > 0 ? bytesMoved / dt : stats.transferring.reduce((sum, t) => sum + t.speed, 0);
      this.last.set(instance, { atMs, bytes: stats.bytes });
    } else {
      this.last.delete(instance);
    }
    rate = Math.round(rate);
    if (this.rate.get(instance) !== rate) {
      this.rate.set(instance, rate);
      this.points.push({ t: at.toISOString(), instance, bytesPerSecond: rate });
    }
    this.trim(atMs);
    return { rate, bytesMoved };
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
