import type { Transfer } from '../contract/index.js';

/**
 * Completed transfers, merged across polls. rclone only remembers its last 100, so each
 * poll's list overlaps the previous one; ids make the merge idempotent. Bounded: the
 * oldest fall off once `limit` is reached.
 */
export class TransferLog {
  private readonly byId = new Map<string, Transfer>();
  private sorted: Transfer[] = [];

  constructor(readonly limit: number) {}

  /** Returns the transfers that were new (an empty list when nothing changed). */
  add(transfers: readonly Transfer[]): Transfer[] {
    const added: Transfer[] = [];
    for (const t of transfers) {
      if (this.byId.has(t.id)) continue;
      this.byId.set(t.id, t);
      added.push(t);
    }
    if (!added.length) return added;
    this.sorted = [...this.byId.values()].sort(newestFirst);
    if (this.sorted.length > this.limit) {
      for (const old of this.sorted.splice(this.limit)) this.byId.delete(old.id);
    }
    return added;
  }

  list(): readonly Transfer[] {
    return this.sorted;
  }
}

function newestFirst(a: Transfer, b: Transfer): number {
  return b.completedAt.localeCompare(a.completedAt) || a.id.localeCompare(b.id);
}
