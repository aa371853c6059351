import type { LogEvent } from '../contract/index.js';

/** Lines remembered at the newest counted moment: lines of one millisecond are few. */
const KEYS_KEPT = 200;

interface Saved {
  atMs: number;
  keys: string[];
}

/**
 * Which of cloudplow's log lines were counted already. cloudplow.log is read whole at
 * every start, so the lines before the restart come again: each is counted once, by its
 * time (lines are written in order) and, at the newest counted millisecond, by its text.
 */
export class CountedLog {
  private atMs = -Infinity;
  private keys = new Set<string>();

  /** The events not counted before, marked as counted now. */
  fresh(events: readonly LogEvent[]): LogEvent[] {
    const out: LogEvent[] = [];
    for (const e of events) {
      const at = e.time === null ? NaN : Date.parse(e.time);
      if (Number.isNaN(at) || at < this.atMs) continue;
      const key = `${e.time}\0${e.message}`;
      if (at === this.atMs && this.keys.has(key)) continue;
      if (at > this.atMs) {
        this.atMs = at;
        this.keys = new Set();
      }
      if (this.keys.size < KEYS_KEPT) this.keys.add(key);
      out.push(e);
    }
    return out;
  }

  snapshot(): Saved | null {
    return Number.isFinite(this.atMs) ? { atMs: this.atMs, keys: [...this.keys] } : null;
  }

  /** Anything unreadable (or nothing, from a plowboard before this) counts the log from its start again. */
  restore(raw: unknown): void {
    const s = raw as Partial<Saved> | null | undefined;
    if (!s || typeof s.atMs !== 'number' || !Number.isFinite(s.atMs) || !Array.isArray(s.keys)) return;
    this.atMs = s.atMs;
    this.keys = new Set(s.keys.filter((k): k is string => typeof k === 'string'));
  }
}
