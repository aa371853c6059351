import type { Transfer } from '../contract/index.js';

/** rclone's completed_at and the moment cloudplow logged "Copied" differ by a poll or a log flush. */
const SAME_TRANSFER_MS = 120_000;
/** Which record of one transfer is kept: rclone's is exact; the fork's row has the size; a log line has neither. */
const RANK: Record<Transfer['source'], number> = { rclone: 3, cloudplow: 2, 'cloudplow-log': 1 };

/**
 * Completed transfers, merged across polls and sources. rclone only remembers its last
 * 100, so each poll's list overlaps the previous one; ids make the merge idempotent. The
 * fork's transfer-stats.jsonl describes many of the same files: a row and an rclone
 * record of the same name finishing within two minutes are one transfer, kept under
 * rclone's id with the uploader cloudplow knows. A move's outer record (no bytes, its
 * time around its copy's) is one upload with its copy, whichever poll brings it: the copy
 * is kept. Bounded: the oldest fall off.
 */
export class TransferLog {
  private readonly byId = new Map<string, Transfer>();
  /** Ids folded into another record, so that rereading a source does not add them again. */
  private readonly aliases = new Map<string, string>();
  private readonly byName = new Map<string, Set<string>>();
  private sorted: Transfer[] = [];

  constructor(readonly limit: number) {}

  /** Returns the transfers that were new (an empty list when nothing changed). */
  add(transfers: readonly Transfer[]): Transfer[] {
    const added: Transfer[] = [];
    let changed = false;
    for (const t of transfers) {
      if (this.byId.has(t.id) || this.aliases.has(t.id)) continue;
      const pair = this.moveOf(t);
      if (pair) {
        const { outer, inner } = pair;
        if (inner === t) {
          this.remove(outer.id);
          this.put(t);
          // Counted once: where the outer one was new in this call, the copy stands in for it.
          const at = added.indexOf(outer);
          if (at >= 0) added[at] = t;
        }
        this.aliases.set(outer.id, inner.id);
        changed = true;
        continue;
      }
      const twin = this.twinOf(t);
      if (twin) {
        // The one transfer, seen again from another source: counted once, the best record kept.
        const [keep, fold] = RANK[twin.source] >= RANK[t.source] ? [twin, t] : [t, twin];
        this.remove(twin.id);
        this.put({ ...keep, size: keep.size ?? fold.size, uploader: keep.uploader ?? fold.uploader, serviceAccount: keep.serviceAccount ?? fold.serviceAccount });
        this.aliases.set(fold.id, keep.id);
        changed = true;
        continue;
      }
      this.put(t);
      added.push(t);
    }
    if (!added.length && !changed) return added;
    this.sorted = [...this.byId.values()].sort(newestFirst);
    if (this.sorted.length > this.limit) {
      for (const old of this.sorted.splice(this.limit)) this.remove(old.id);
    }
    // Aliases of dropped transfers can go: the source that named them has moved on too.
    if (this.aliases.size > this.limit) {
      for (const [alias, id] of this.aliases) if (!this.byId.has(id)) this.aliases.delete(alias);
    }
    return added;
  }

  list(): readonly Transfer[] {
    return this.sorted;
  }

  /** The same file from the other source: rclone's record and cloudplow's row of one copy. */
  private twinOf(t: Transfer): Transfer | null {
    const at = Date.parse(t.completedAt);
    for (const id of this.byName.get(t.name) ?? []) {
      const other = this.byId.get(id)!;
      if (other.source !== t.source && Math.abs(Date.parse(other.completedAt) - at) <= SAME_TRANSFER_MS) return other;
    }
    return null;
  }

  /** rclone's outer record of a move and the copy inside it (1.66+; failures on 1.60 too): same run, name and group, one enclosing the other. */
  private moveOf(t: Transfer): { outer: Transfer; inner: Transfer } | null {
    if (t.source !== 'rclone' || !t.startedAt) return null;
    for (const id of this.byName.get(t.name) ?? []) {
      const other = this.byId.get(id)!;
      if (other.source !== 'rclone' || other.instance !== t.instance || other.group !== t.group || !other.startedAt) continue;
      if (other.bytes === 0 && encloses(other, t)) return { outer: other, inner: t };
      if (t.bytes === 0 && encloses(t, other)) return { outer: t, inner: other };
    }
    return null;
  }

  private put(t: Transfer): void {
    this.byId.set(t.id, t);
    const ids = this.byName.get(t.name) ?? new Set<string>();
    ids.add(t.id);
    this.byName.set(t.name, ids);
  }

  private remove(id: string): void {
    const t = this.byId.get(id);
    if (!t) return;
    this.byId.delete(id);
    const ids = this.byName.get(t.name);
    ids?.delete(id);
    if (ids && !ids.size) this.byName.delete(t.name);
  }
}

function encloses(outer: Transfer, inner: Transfer): boolean {
  return outer.startedAt! <= inner.startedAt! && outer.completedAt >= inner.completedAt;
}

function newestFirst(a: Transfer, b: Transfer): number {
  return b.completedAt.localeCompare(a.completedAt) || a.id.localeCompare(b.id);
}
