import type { Accounts, Live, LogEvent, Session, SourceHealth, TimelineEvent, Transfer } from '../contract/index.js';
import { duration } from '../format/duration.js';
import { timelineFromLog } from '../normalize/logTimeline.js';
import { timelineEvent } from '../normalize/timelineEvent.js';

/** rclone moving nothing this long while the session is active is worth a line; a switch of SA takes seconds. */
export const IDLE_AFTER_MS = 2 * 60_000;
/** An error burst: this many failed transfers within BURST_MS. */
export const BURST_FAILURES = 5;
export const BURST_MS = 10 * 60_000;
/** Source states that mean something is wrong; missing and idle are normal conditions. */
const BAD = new Set<SourceHealth['state']>(['error', 'unreachable', 'auth_failed', 'auth_required']);

export interface Views {
  now: number;
  logEvents: readonly LogEvent[];
  accounts: Accounts;
  session: Session | null;
  live: Live;
  transfers: readonly Transfer[];
  sources: readonly SourceHealth[];
}

/**
 * Turns what plowboard already reads into timeline events, comparing each publish's views
 * with the previous ones. Events come with stable ids; the store drops the ones it has, so
 * deriving the same thing twice (every publish, after a restart) is harmless. The log and
 * the transfers are derived again only when their lists change (both keep their object).
 */
export class EventDerivation {
  private logSeen: readonly LogEvent[] | null = null;
  private transfersSeen: readonly Transfer[] | null = null;
  /** The accounts object last looked at for bans: the same object while nothing in them moved. */
  private accountsSeen: Accounts | null = null;
  private readonly sourceBad = new Map<string, boolean>();
  private readonly windows = new Map<string, { resetAt: string | null; usedBytes: number }>();
  private idleSince: number | null = null;

  derive(v: Views): TimelineEvent[] {
    const out: TimelineEvent[] = [];
    if (!sameList(v.logEvents, this.logSeen)) {
      this.logSeen = v.logEvents;
      out.push(...timelineFromLog(v.logEvents));
    }
    if (v.transfers !== this.transfersSeen) {
      this.transfersSeen = v.transfers;
      out.push(...errorBursts(v.transfers));
    }
    out.push(...this.accountChanges(v), ...this.sourceChanges(v), ...this.rcloneChanges(v));
    return out;
  }

  private accountChanges(v: Views): TimelineEvent[] {
    const out: TimelineEvent[] = [];
    const at = new Date(v.now).toISOString();
    const fresh = v.accounts !== this.accountsSeen;
    this.accountsSeen = v.accounts;
    for (const u of v.accounts.uploaders) {
      for (const a of u.accounts) {
        if (fresh && a.bannedUntil && Date.parse(a.bannedUntil) > v.now) {
          // One ban is one SA until one time: seen again at every publish and after a restart, kept once.
          out.push(
            timelineEvent({
              kind: 'sa_banned',
              time: at,
              severity: 'warning',
              summary: `${a.name} is banned (${u.name})`,
              identity: [u.name, a.name, a.bannedUntil],
              uploader: u.name,
              account: a.name,
              until: a.bannedUntil,
              source: 'accounts',
              figure: a.sources.status,
            }),
          );
        }
        const key = `${u.name}\0${a.name}`;
        const before = this.windows.get(key);
        if (before?.resetAt && before.usedBytes > 0 && Date.parse(before.resetAt) <= v.now) {
          out.push(
            timelineEvent({
              kind: 'quota_reset',
              time: before.resetAt,
              severity: 'info',
              summary: `${a.name}'s quota window reset (${u.name})`,
              identity: [u.name, a.name, before.resetAt],
              uploader: u.name,
              account: a.name,
              source: 'accounts',
            }),
          );
        }
        this.windows.set(key, { resetAt: a.resetAt, usedBytes: a.usedBytes });
      }
    }
    return out;
  }

  private sourceChanges(v: Views): TimelineEvent[] {
    const out: TimelineEvent[] = [];
    for (const s of v.sources) {
      const bad = BAD.has(s.state);
      const was = this.sourceBad.get(s.id) ?? false;
      this.sourceBad.set(s.id, bad);
      if (bad === was) continue;
      const time = s.since ?? new Date(v.now).toISOString();
      out.push(
        timelineEvent({
          kind: bad ? 'source_bad' : 'source_good',
          time,
          severity: bad ? 'error' : 'info',
          summary: bad ? `${s.name} turned bad: ${s.state.replace('_', ' ')}` : `${s.name} is good again`,
          identity: [s.id, s.state, time],
          source: 'health',
          line: bad ? (s.lastError?.message ?? null) : null,
          figure: s.state,
        }),
      );
    }
    return out;
  }

  private rcloneChanges(v: Views): TimelineEvent[] {
    const out: TimelineEvent[] = [];
    for (const i of v.live.instances) {
      const r = i.countersRestarted;
      if (r?.reason !== 'restart') continue;
      out.push(
        timelineEvent({ kind: 'rclone_restarted', time: r.at, severity: 'info', summary: `rclone ${i.name} restarted`, identity: [i.name, r.at], source: 'rclone', figure: 'its counters started over' }),
      );
    }
    const working = v.live.instances.some((i) => i.state === 'ok' && i.phase !== 'idle');
    if (!v.session?.active || working) {
      this.idleSince = null;
      return out;
    }
    this.idleSince ??= v.now;
    if (v.now - this.idleSince >= IDLE_AFTER_MS) {
      const time = new Date(this.idleSince).toISOString();
      out.push(
        timelineEvent({
          kind: 'rclone_idle',
          time,
          severity: 'warning',
          summary: `rclone moved nothing for ${duration(IDLE_AFTER_MS / 1000)} while the session was active`,
          identity: [time],
          uploader: v.session.uploader,
          account: v.session.account.name,
          source: 'rclone',
          figure: v.session.evidence.join('; '),
        }),
      );
    }
    return out;
  }
}

/**
 * The log's snapshot is a new list at every new line, but holds the same event objects in
 * time order: same length, same first and same last is the same list, and deriving it again
 * (a hash per event) is skipped for the rclone stats lines that come every minute.
 */
function sameList(a: readonly LogEvent[], b: readonly LogEvent[] | null): boolean {
  return a === b || (b !== null && a.length === b.length && a[0] === b[0] && a.at(-1) === b.at(-1));
}

/** The sidecar's own start and stop: a gap in the timeline has its reason. */
export function sidecarEvent(kind: 'sidecar_started' | 'sidecar_stopped', time: string, version: string): TimelineEvent {
  const started = kind === 'sidecar_started';
  return timelineEvent({ kind, time, severity: 'info', summary: `plowboard ${version} ${started ? 'started' : 'stopped'}`, identity: [time], source: 'sidecar' });
}

/** N failed transfers within M minutes open a burst; it lasts until a gap of M minutes without a failure. */
export function errorBursts(transfers: readonly Transfer[]): TimelineEvent[] {
  const failed = transfers.filter((t) => !t.ok).sort((a, b) => a.completedAt.localeCompare(b.completedAt));
  const out: TimelineEvent[] = [];
  let window: Transfer[] = [];
  let burst: { first: Transfer; at: Transfer; count: number; last: Transfer } | null = null;
  const flush = () => {
    if (!burst) return;
    const minutes = Math.max(1, Math.round((Date.parse(burst.last.completedAt) - Date.parse(burst.first.completedAt)) / 60_000));
    out.push(
      timelineEvent({
        kind: 'error_burst',
        time: burst.at.completedAt,
        severity: 'error',
        summary: `${burst.count} transfers failed in ${minutes} min`,
        identity: [burst.first.id],
        uploader: burst.last.uploader,
        account: burst.last.serviceAccount,
        file: burst.last.name,
        count: burst.count,
        source: 'transfers',
        line: burst.last.error,
        figure: `${burst.count} failures, ${BURST_FAILURES} in ${BURST_MS / 60_000} min opened it`,
      }),
    );
    burst = null;
  };
  for (const t of failed) {
    const at = Date.parse(t.completedAt);
    if (burst && at - Date.parse(burst.last.completedAt) > BURST_MS) flush();
    window = [...window.filter((w) => at - Date.parse(w.completedAt) <= BURST_MS), t];
    if (burst) {
      burst.count++;
      burst.last = t;
    } else if (window.length >= BURST_FAILURES) burst = { first: window[0]!, at: t, count: window.length, last: t };
  }
  flush();
  return out;
}
