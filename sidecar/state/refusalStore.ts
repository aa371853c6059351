import type { RefusalCounts, SaRefusals } from '../contract/index.js';
import type { RefusalView } from '../normalize/accounts.js';
import type { Refusal, RefusalKind } from '../normalize/saRefusals.js';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
/** What is kept: the longest window published. */
export const KEEP_MS = 30 * DAY_MS;
/**
 * Line ids remembered, at most: a pool Google throttles logs a few hundred 403 lines a
 * day (cloudplow cycles the SA after a handful), so this holds weeks of them. Past it the
 * oldest ids go, and a line no newer than the newest forgotten one counts as seen: the log
 * is written in time order, so only a re-read brings such a line back.
 */
export const MAX_IDS = 20_000;

type Bucket = [hourStartMs: number, rateLimits: number, bans: number];
interface Last {
  atMs: number;
  kind: RefusalKind;
  line: string;
}

interface Snapshot {
  version: 1;
  /** `uploader\0account` → hourly counts, oldest first. */
  accounts: Record<string, Bucket[]>;
  last: Record<string, Last>;
  /** Line id → its time. */
  seen: Record<string, number>;
  forgottenUpToMs: number;
}

export type { RefusalView } from '../normalize/accounts.js';

const zero = (): RefusalCounts => ({ rateLimits: 0, bans: 0 });

/**
 * The refusals seen per SA, by the hour, for 30 days, kept across restarts in the state
 * folder. Each log line counts once: the log is read again from its start after a restart
 * and after a rotation, and the same line (same time, uploader, SA and text) is known by its id.
 */
export class RefusalStore {
  private readonly buckets = new Map<string, Bucket[]>();
  private readonly last = new Map<string, Last>();
  /** Insertion order is time order for a log read forward; pruning walks it from the start. */
  private readonly seen = new Map<string, number>();
  private forgottenUpToMs = -Infinity;
  private version = 0;
  private view: { version: number; hour: number; value: RefusalView; key: string } | null = null;

  /** Returns true when the refusal was new. */
  add(r: Refusal, now: number): boolean {
    if (r.atMs <= now - KEEP_MS || r.atMs <= this.forgottenUpToMs || this.seen.has(r.id)) return false;
    this.seen.set(r.id, r.atMs);
    const key = `${r.uploader}\0${r.account}`;
    const list = this.buckets.get(key) ?? [];
    const hour = Math.floor(r.atMs / HOUR_MS) * HOUR_MS;
    let i = list.length;
    while (i > 0 && list[i - 1]![0] > hour) i--;
    const bucket = i > 0 && list[i - 1]![0] === hour ? list[i - 1]! : null;
    if (bucket) bucket[r.kind === 'ban' ? 2 : 1]++;
    else list.splice(i, 0, [hour, r.kind === 'ban' ? 0 : 1, r.kind === 'ban' ? 1 : 0]);
    this.buckets.set(key, list);
    const prev = this.last.get(key);
    if (!prev || r.atMs >= prev.atMs) this.last.set(key, { atMs: r.atMs, kind: r.kind, line: r.line });
    this.forgetOldIds();
    this.version++;
    return true;
  }

  /**
   * The published figures at `now`: the same object until a refusal is added or the hour
   * turns and the figures read differently (a refusal left a window).
   */
  current(now: number): RefusalView {
    const hour = Math.floor(now / HOUR_MS);
    const v = this.view;
    if (v && v.version === this.version && v.hour === hour) return v.value;
    this.prune(now);
    const value = new Map<string, Map<string, SaRefusals>>();
    for (const [key, list] of this.buckets) {
      const [uploader, account] = key.split('\0') as [string, string];
      const byAccount = value.get(uploader) ?? new Map<string, SaRefusals>();
      byAccount.set(account, this.figures(list, this.last.get(key) ?? null, now));
      value.set(uploader, byAccount);
    }
    const key = JSON.stringify([...value].map(([u, m]) => [u, [...m]]));
    if (v && v.key === key) {
      this.view = { ...v, version: this.version, hour };
      return v.value;
    }
    this.view = { version: this.version, hour, value, key };
    return value;
  }

  snapshot(): Snapshot {
    return {
      version: 1,
      accounts: Object.fromEntries([...this.buckets].map(([k, list]) => [k, list.map((b) => [...b] as Bucket)])),
      last: Object.fromEntries(this.last),
      seen: Object.fromEntries(this.seen),
      forgottenUpToMs: Number.isFinite(this.forgottenUpToMs) ? this.forgottenUpToMs : 0,
    };
  }

  static restore(raw: unknown, now: number): RefusalStore {
    const snap = raw as Partial<Snapshot> | null;
    if (!snap || snap.version !== 1 || typeof snap.accounts !== 'object' || snap.accounts === null) throw new Error('not a refusals file');
    const store = new RefusalStore();
    const count = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0;
    for (const [key, list] of Object.entries(snap.accounts)) {
      if (!key.includes('\0') || !Array.isArray(list)) continue;
      const ok = list.filter((b): b is Bucket => Array.isArray(b) && b.length === 3 && Number.isFinite(b[0]) && count(b[1]) && count(b[2]));
      if (ok.length) store.buckets.set(key, ok.sort((a, b) => a[0] - b[0]));
    }
    for (const [key, l] of Object.entries(snap.last ?? {})) {
      if (store.buckets.has(key) && l && Number.isFinite(l.atMs) && (l.kind === 'rate_limit' || l.kind === 'ban') && typeof l.line === 'string') store.last.set(key, { atMs: l.atMs, kind: l.kind, line: l.line });
    }
    const seen = Object.entries(snap.seen ?? {}).filter(([, t]) => Number.isFinite(t)).sort((a, b) => a[1] - b[1]);
    for (const [id, t] of seen) store.seen.set(id, t);
    if (typeof snap.forgottenUpToMs === 'number' && snap.forgottenUpToMs > 0) store.forgottenUpToMs = snap.forgottenUpToMs;
    store.prune(now);
    return store;
  }

  private figures(list: readonly Bucket[], last: Last | null, now: number): SaRefusals {
    const windows = { last24h: zero(), last7d: zero(), last30d: zero() };
    const days = new Map<string, RefusalCounts>();
    for (const [hour, rateLimits, bans] of list) {
      // A bucket counts while its hour overlaps the window.
      const age = now - (hour + HOUR_MS);
      for (const [name, span] of [['last24h', DAY_MS], ['last7d', 7 * DAY_MS], ['last30d', KEEP_MS]] as const) {
        if (age < span) {
          windows[name].rateLimits += rateLimits;
          windows[name].bans += bans;
        }
      }
      if (age < KEEP_MS) {
        const day = new Date(hour).toISOString().slice(0, 10);
        const d = days.get(day) ?? zero();
        d.rateLimits += rateLimits;
        d.bans += bans;
        days.set(day, d);
      }
    }
    const shown = last && Math.floor(last.atMs / HOUR_MS) * HOUR_MS + HOUR_MS > now - KEEP_MS ? last : null;
    return {
      ...windows,
      lastAt: shown ? new Date(shown.atMs).toISOString() : null,
      lastKind: shown?.kind ?? null,
      lastLine: shown?.line ?? null,
      days: [...days].map(([day, c]) => ({ day, ...c })),
    };
  }

  /** Drops hours past 30 days, and ids of lines that old: such a line is refused on its age alone. */
  private prune(now: number): void {
    const horizon = now - KEEP_MS;
    for (const [key, list] of this.buckets) {
      const kept = list.filter(([hour]) => hour + HOUR_MS > horizon);
      if (!kept.length) {
        this.buckets.delete(key);
        this.last.delete(key);
      } else if (kept.length !== list.length) this.buckets.set(key, kept);
    }
    for (const [id, t] of this.seen) if (t <= horizon) this.seen.delete(id);
  }

  private forgetOldIds(): void {
    if (this.seen.size <= MAX_IDS) return;
    // The oldest by time, not by insertion: a restart's re-read inserts old lines late.
    const byTime = [...this.seen].sort((a, b) => a[1] - b[1]);
    const drop = byTime.slice(0, this.seen.size - Math.floor(MAX_IDS * 0.9));
    for (const [id, t] of drop) {
      this.seen.delete(id);
      this.forgottenUpToMs = Math.max(this.forgottenUpToMs, t);
    }
  }
}
