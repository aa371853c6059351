import type { Transfer } from '../contract/index.js';
import type { ObservedView } from '../normalize/accounts.js';

/**
 * The observed SA use that accounts.json shows. ObservedUsage gains bytes with every 5 s
 * sample while rclone moves them, and accounts.json (its largest file, fetched by every
 * page) would change as often. Its meaning changes when a file finishes: while files are in
 * flight the view is taken again only when the transfer list moved (a file finished or
 * failed) or a window in the view shown ran out, and the bytes moved in between are counted
 * then, all at once; with nothing in flight, as it is (the last bytes of a run land in a
 * sample after its last file finished).
 */
export class ObservedShown {
  private shown: { view: ObservedView; transfers: readonly Transfer[]; until: number } | null = null;

  get(transfers: readonly Transfer[], inFlight: boolean, now: number, windowMs: number, current: () => ObservedView): ObservedView {
    const s = this.shown;
    if (s && inFlight && s.transfers === transfers && now < s.until) return s.view;
    const view = current();
    let until = Infinity;
    for (const byAccount of view.values()) for (const o of byAccount.values()) until = Math.min(until, o.firstUploadAtMs + windowMs);
    this.shown = { view, transfers, until };
    return view;
  }
}
