import type { EventKind, LogEvent, TimelineEvent } from '../contract/index.js';
import { eventId, timelineEvent, type EventFacts } from './timelineEvent.js';

const SOURCE = 'cloudplow.log';

/**
 * Ids by log event and kind. The follower hands out the same event objects at every read, and
 * the whole list is derived again at every new event (a copied file): hashing is the cost.
 */
const ids = new WeakMap<LogEvent, Map<string, string>>();
function idOf(e: LogEvent, kind: EventKind): string {
  let byKind = ids.get(e);
  if (!byKind) ids.set(e, (byKind = new Map()));
  let id = byKind.get(kind);
  if (id === undefined) byKind.set(kind, (id = eventId(kind, [e.time, e.message])));
  return id;
}

/**
 * Timeline events from cloudplow's log events, oldest first. Pure and deterministic: the
 * same lines give the same events with the same ids, however often they are read. A
 * log-derived event's identity is its kind, the line's time and the line itself (already
 * redacted): not the uploader or SA, which are worked out from the lines around it and
 * could differ when the window read starts elsewhere.
 */
export function timelineFromLog(events: readonly LogEvent[]): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  let uploader: string | null = null;
  let account: string | null = null;
  /** The rate-limit event of the SA in use, so that its further 403 lines count into it. */
  let limited: TimelineEvent | null = null;
  const from = (e: LogEvent, f: Omit<EventFacts, 'time' | 'identity' | 'source' | 'line'>) =>
    timelineEvent({ ...f, time: e.time!, identity: [e.time, e.message], id: idOf(e, f.kind), source: SOURCE, line: e.message });

  events.forEach((e, i) => {
    if (e.time === null) return;
    switch (e.kind) {
      case 'upload_started':
        if (e.uploader !== null) {
          uploader = e.uploader;
          break;
        }
        // "Starting upload" comes before the uploader and SA are named: they are read ahead, in the run.
        ({ uploader, account } = runAhead(events, i));
        limited = null;
        out.push(from(e, { kind: 'session_started', severity: 'info', summary: `Upload session started${forWhom(uploader, account)}`, uploader, account }));
        account = null;
        break;
      case 'sa_chosen':
        // The run's first SA is part of its start; the one named after a cycle was already told.
        if (account !== null && e.account !== account) out.push(saChanged(from, e, uploader, account, null));
        if (e.account !== account) limited = null;
        account = e.account;
        break;
      case 'sa_cycled':
        uploader = e.uploader ?? uploader;
        out.push(saChanged(from, e, uploader, account, e.detail));
        account = e.account;
        limited = null;
        break;
      case 'trigger_hit':
        if (limited && limited.account === account) {
          limited.count += 1;
          limited.evidence.figure = `${limited.count} rate-limit lines`;
          break;
        }
        limited = from(e, { kind: 'sa_rate_limited', severity: 'warning', summary: `${account ?? 'The service account'} hit a rate limit${uploader ? ` (${uploader})` : ''}`, uploader, account });
        out.push(limited);
        break;
      case 'uploader_suspended':
        // Only the abort says a suspension begins; "is still suspended" repeats it at every check.
        if (e.detail === null) break;
        out.push(
          from(e, { kind: 'session_aborted', severity: 'warning', summary: `Upload session aborted${forWhom(e.uploader, null)}: trigger ${e.detail}`, uploader: e.uploader, account, figure: e.detail }),
          from(e, { kind: 'uploader_suspended', severity: 'error', summary: `${e.uploader ?? 'The uploader'} is suspended: every service account hit its limit`, uploader: e.uploader, account, until: e.until }),
        );
        break;
      case 'no_accounts_left':
        // cloudplow then holds the uploader back until its first SA comes free, and says when on the next line.
        out.push(
          from(e, {
            kind: 'session_aborted',
            severity: 'error',
            summary: `Upload aborted${forWhom(e.uploader, null)}: no service account is unbanned and available`,
            uploader: e.uploader,
            account: null,
          }),
          from(e, { kind: 'uploader_suspended', severity: 'error', summary: `${e.uploader ?? 'The uploader'} is suspended: every service account is banned`, uploader: e.uploader, account: null, until: unbanAfter(events, i) }),
        );
        break;
      case 'uploader_done':
        if (e.detail === 'not completed')
          out.push(from(e, { kind: 'session_aborted', severity: 'warning', summary: `Upload did not complete successfully${forWhom(e.uploader, account)}`, uploader: e.uploader, account }));
        break;
      case 'upload_finished':
        out.push(from(e, { kind: 'session_finished', severity: 'info', summary: `Upload session finished${forWhom(uploader, null)}`, uploader, account }));
        limited = null;
        break;
    }
  });
  return out;
}

type From = (e: LogEvent, f: Omit<EventFacts, 'time' | 'identity' | 'source' | 'line'>) => TimelineEvent;

function saChanged(from: From, e: LogEvent, uploader: string | null, previous: string | null, trigger: string | null): TimelineEvent {
  const what = `${previous ?? 'another service account'} to ${e.account ?? 'the next one'}`;
  return from(e, {
    kind: 'sa_changed',
    severity: 'info',
    summary: `${uploader ?? 'The uploader'} changed service account from ${what}${trigger ? ` after trigger ${trigger}` : ''}`,
    uploader,
    account: e.account,
    figure: trigger,
  });
}

/** When the first SA comes free, as cloudplow logs it right after saying none is left. */
function unbanAfter(events: readonly LogEvent[], at: number): string | null {
  const next = events[at + 1];
  return next?.kind === 'unban_expected' ? next.until : null;
}

/** The uploader and first SA a run names before its next "Starting upload". */
function runAhead(events: readonly LogEvent[], start: number): { uploader: string | null; account: string | null } {
  let uploader: string | null = null;
  let account: string | null = null;
  for (let j = start + 1; j < events.length && !(uploader && account); j++) {
    const e = events[j]!;
    if (e.kind === 'upload_started' && e.uploader === null) break;
    if (e.kind === 'upload_started' || e.kind === 'no_accounts_left') uploader ??= e.uploader;
    if (e.kind === 'sa_chosen') account ??= e.account;
    if (e.kind === 'upload_finished') break;
  }
  return { uploader, account };
}

const forWhom = (uploader: string | null, account: string | null) => `${uploader ? ` for ${uploader}` : ''}${account ? ` with ${account}` : ''}`;
