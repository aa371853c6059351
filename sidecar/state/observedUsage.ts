import type { ObservedAccount, ObservedView } from '../normalize/accounts.js';

/** Bytes are kept per SA in one-minute buckets: a day's window is at most 1,440 of them. */
const BUCKET_MS = 60_000;

interface Snapshot {
  version: 1;
  sinceMs: number;
  accounts: Record<string, Array<[atMs: number, bytes: number]>>;
}

/**
 * What each SA uploaded while plowboard watched, for upstream cloudplow, which keeps no
 * quota file: the bytes rclone moved while a session was active with that SA, kept across
 * restarts. A window starts at an SA's first upload and lasts the quota window, as the
 * fork's quota file counts it; what is older falls out. Where the fork's file has an SA,
 * the file wins and this is not added to it.
 */
export class ObservedUsage {
  private readonly buckets = new Map<string, Array<[number, number]>>();
  private view: ObservedView | null = null;

  constructor(private sinceMs: number) {}

  /** When plowboard began watching here: usage before that is not known to it. */
  get since(): number {
    return this.sinceMs;
  }

  add(uploader: string, account: string, atMs: number, bytes: number): void {
    if (!(bytes > 0)) return;
    const key = `${uploader}\0${account}`;
    const list = this.buckets.get(key) ?? [];
    const start = Math.floor(atMs / BUCKET_MS) * BUCKET_MS;
    const last = list[list.length - 1];
    if (last && last[0] === start) last[1] += bytes;
    else list.push([start, bytes]);
    this.buckets.set(key, list);
    this.view = null;
  }

  /** The same object until something is added or a window runs out. */
  current(now: number, windowMs: number): ObservedView {
    if (this.view && !this.expires(now, windowMs)) return this.view;
    const view = new Map<string, Map<string, ObservedAccount>>();
    for (const [key, list] of this.buckets) {
      const window = this.windowOf(list, now, windowMs);
      if (!window.length) {
        this.buckets.delete(key);
        continue;
      }
      // Buckets of a window that ended are never counted again.
      if (window.length !== list.length) this.buckets.set(key, window);
      const [uploader, account] = key.split('\0') as [string, string];
      const byAccount = view.get(uploader) ?? new Map<string, ObservedAccount>();
      byAccount.set(account, { usedBytes: window.reduce((n, [, b]) => n + b, 0), firstUploadAtMs: window[0]![0] });
      view.set(uploader, byAccount);
    }
    this.view = view;
    return view;
  }

  snapshot(): Snapshot {
    return { version: 1, sinceMs: this.sinceMs, accounts: Object.fromEntries([...this.buckets].map(([k, list]) => [k, list.map(([t, b]) => [t, b] as [number, number])])) };
  }

  static restore(raw: unknown, fallbackSinceMs: number): ObservedUsage {
    const snap = raw as Partial<Snapshot> | null;
    if (!snap || snap.version !== 1 || typeof snap.accounts !== 'object' || snap.accounts === null) throw new Error('not an observed-usage file');
    const store = new ObservedUsage(typeof snap.sinceMs === 'number' && Number.isFinite(snap.sinceMs) ? snap.sinceMs : fallbackSinceMs);
    for (const [key, list] of Object.entries(snap.accounts)) {
      if (!key.includes('\0') || !Array.isArray(list)) continue;
      const ok = list.filter((e): e is [number, number] => Array.isArray(e) && e.length === 2 && e.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0));
      if (ok.length) store.buckets.set(key, ok.sort((a, b) => a[0] - b[0]));
    }
    return store;
  }

  /** The buckets of the window running now: from the first upload after the last window ended. */
  private windowOf(list: ReadonlyArray<[number, number]>, now: number, windowMs: number): Array<[number, number]> {
    let start = -1;
    for (let i = 0; i < list.length; i++) {
      if (start < 0 || list[i]![0] >= list[start]![0] + windowMs) start = i;
    }
    if (start < 0 || list[start]![0] + windowMs <= now) return [];
    return list.slice(start) as Array<[number, number]>;
  }

  private expires(now: number, windowMs: number): boolean {
    for (const a of this.view?.values() ?? []) for (const o of a.values()) if (o.firstUploadAtMs + windowMs <= now) return true;
    return false;
  }
}
