import { EVENT_KINDS, envelope, type Events, type TimelineEvent } from '../contract/index.js';
import { redactOrNull } from '../normalize/secrets.js';

export const EVENTS_KEPT_DAYS = 90;
export const EVENTS_LIMIT = 2000;
const DAY_MS = 86_400_000;
/**
 * A rate limit of one SA read again from a window that starts later (its first 403 line
 * trimmed) hashes differently: hits of one SA this close together are the same one.
 */
const SAME_LIMIT_MS = 30 * 60_000;

interface Kept {
  event: TimelineEvent;
  /** Order of arrival, for events of the same time (an abort and the suspension it causes). */
  seq: number;
}

/**
 * The timeline: events by id, each kept once however often it is derived again (every
 * publish, a log re-read after a restart or a rotation), for 90 days and at most
 * EVENTS_LIMIT of them. `version` goes up with every change, so the file is written only then.
 */
export class EventLog {
  private readonly byId = new Map<string, Kept>();
  /** The rate-limit events, looked through for each new one (see SAME_LIMIT_MS). */
  private readonly limits = new Set<Kept>();
  private seq = 0;
  private sorted: TimelineEvent[] | null = null;
  version = 0;

  constructor(
    readonly keptDays = EVENTS_KEPT_DAYS,
    readonly limit = EVENTS_LIMIT,
  ) {}

  /** Adds what is new, brings known ones up to date (a count that grew), prunes; true when anything changed. */
  add(events: readonly TimelineEvent[], now: number): boolean {
    let changed = false;
    // The oldest kept, once per call: a full store turns away what is older (asked per event, it sorted per event).
    const floor = this.byId.size >= this.limit ? (this.list().at(-1)?.time ?? '') : '';
    for (const e of events) changed = this.put(e, now, floor) || changed;
    changed = this.prune(now) || changed;
    if (changed) {
      this.version++;
      this.sorted = null;
    }
    return changed;
  }

  /** Newest first. */
  list(): readonly TimelineEvent[] {
    this.sorted ??= [...this.byId.values()].sort((a, b) => b.event.time.localeCompare(a.event.time) || b.seq - a.seq).map((k) => k.event);
    return this.sorted;
  }

  toFile(generatedAt: string): Events {
    return { ...envelope(generatedAt), keptDays: this.keptDays, limit: this.limit, events: [...this.list()] };
  }

  /** What the state folder keeps: the list, newest first. */
  snapshot(): TimelineEvent[] {
    return [...this.list()];
  }

  static restore(raw: unknown, now: number): EventLog {
    if (!Array.isArray(raw)) throw new Error('not a list of events');
    const log = new EventLog();
    // Oldest first, so that arrival order among events of one time is kept.
    const valid = raw.filter(isEvent).reverse();
    log.add(valid.map((e) => ({ ...e, evidence: { ...e.evidence, line: redactOrNull(e.evidence.line) } })), now);
    return log;
  }

  private put(e: TimelineEvent, now: number, floor: string): boolean {
    const known = this.byId.get(e.id) ?? this.sameLimit(e);
    if (!known) {
      // What was pruned stays out when the log shows it again: it would come and go at every read.
      if (Date.parse(e.time) < now - this.keptDays * DAY_MS || (this.byId.size >= this.limit && e.time < floor)) return false;
      this.sorted = null;
      const kept = { event: structuredClone(e), seq: this.seq++ };
      this.byId.set(e.id, kept);
      if (e.kind === 'sa_rate_limited') this.limits.add(kept);
      return true;
    }
    const k = known.event;
    let changed = false;
    if (e.count > k.count) {
      k.count = e.count;
      k.evidence.figure = e.evidence.figure;
      if (e.kind === 'error_burst') k.summary = e.summary;
      changed = true;
    }
    // Read again from a window that starts later, an event may know less of its context: what it knew stays.
    for (const f of ['uploader', 'account', 'file'] as const) {
      if (k[f] === null && e[f] !== null) {
        k[f] = e[f];
        changed = true;
      }
    }
    return changed;
  }

  private sameLimit(e: TimelineEvent): Kept | undefined {
    if (e.kind !== 'sa_rate_limited') return undefined;
    const at = Date.parse(e.time);
    // Read from a later start, the hit may not know its SA: then any SA's hit this close is it.
    const fits = (mine: string | null, theirs: string | null) => mine === null || mine === theirs;
    for (const k of this.limits) {
      const o = k.event;
      if (o.kind === e.kind && fits(e.account, o.account) && fits(e.uploader, o.uploader) && Math.abs(Date.parse(o.time) - at) <= SAME_LIMIT_MS) return k;
    }
    return undefined;
  }

  private prune(now: number): boolean {
    const oldest = now - this.keptDays * DAY_MS;
    // Every publish asks: the sorted list (kept while nothing changes) answers at once when nothing is due.
    if (this.byId.size <= this.limit && Date.parse(this.list().at(-1)?.time ?? '') >= oldest) return false;
    let changed = false;
    for (const [id, k] of this.byId) {
      if (Date.parse(k.event.time) < oldest) {
        this.byId.delete(id);
        this.limits.delete(k);
        changed = true;
      }
    }
    if (this.byId.size > this.limit) {
      const byAge = [...this.byId.values()].sort((a, b) => a.event.time.localeCompare(b.event.time) || a.seq - b.seq);
      for (const k of byAge.slice(0, this.byId.size - this.limit)) {
        this.byId.delete(k.event.id);
        this.limits.delete(k);
      }
      changed = true;
    }
    return changed;
  }
}

const KINDS = new Set<string>(EVENT_KINDS);
const SEVERITIES = new Set(['info', 'warning', 'error']);
const str = (v: unknown) => typeof v === 'string';
const strOrNull = (v: unknown) => v === null || typeof v === 'string';

/** A saved entry of the shape this version writes; one from elsewhere (an older or damaged file) is left out. */
function isEvent(v: unknown): v is TimelineEvent {
  const e = v as TimelineEvent | null;
  if (!e || typeof e !== 'object' || !str(e.id) || !str(e.time) || Number.isNaN(Date.parse(e.time)) || !KINDS.has(e.kind) || !SEVERITIES.has(e.severity)) return false;
  if (!str(e.summary) || !strOrNull(e.uploader) || !strOrNull(e.account) || !strOrNull(e.file) || !strOrNull(e.until)) return false;
  const ev = e.evidence as TimelineEvent['evidence'] | null;
  return Number.isInteger(e.count) && e.count >= 1 && !!ev && typeof ev === 'object' && str(ev.source) && strOrNull(ev.line) && strOrNull(ev.figure);
}
