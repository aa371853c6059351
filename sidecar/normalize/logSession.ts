import type { LogEvent } from '../contract/index.js';
import type { LogSession } from './session.js';

const ms = (iso: string | null) => (iso ? Date.parse(iso) : NaN);

/**
 * The latest upload session as the log tells it: the last "upload started", the SA it
 * chose, how many were available, and whether it finished. Upstream cloudplow has no
 * session file; this is all it says.
 */
export function sessionFromLog(events: readonly LogEvent[]): LogSession | null {
  let session: LogSession | null = null;
  for (const e of events) {
    const at = ms(e.time);
    if (!Number.isFinite(at)) continue;
    if (e.kind === 'upload_started') {
      // "Starting upload" opens a run; "Uploading '<folder>' to remote: <name>" follows it
      // once per SA tried, and names the uploader of the run still open.
      if (e.uploader !== null && session && session.finishedAtMs === null) session.uploader = e.uploader;
      else session = { uploader: e.uploader, startedAtMs: at, account: null, accountsUsed: [], accountsAvailable: null, finishedAtMs: null };
    } else if (!session) {
      continue;
    } else if (e.kind === 'sa_count' && e.detail !== null) {
      session.accountsAvailable = Number(e.detail);
    } else if (e.kind === 'sa_chosen' || e.kind === 'sa_cycled') {
      session.account = e.account ?? session.account;
      if (e.account && !session.accountsUsed.includes(e.account)) session.accountsUsed.push(e.account);
    } else if (e.kind === 'upload_finished') {
      session.finishedAtMs = at;
      session.uploader = session.uploader ?? e.uploader;
    }
  }
  return session;
}

/** SAs the log saw hit a limit (a 403 rate limit, a trigger that cycled the SA). */
export function limitHitsFromLog(events: readonly LogEvent[]): Array<{ atMs: number; uploader: string | null; account: string | null }> {
  const hits: Array<{ atMs: number; uploader: string | null; account: string | null }> = [];
  let current: { uploader: string | null; account: string | null } = { uploader: null, account: null };
  for (const e of events) {
    if (e.kind === 'sa_chosen') current = { uploader: e.uploader ?? current.uploader, account: e.account };
    // "Starting upload" opens a run; "Uploading … to remote" comes after the SA was chosen and keeps it.
    if (e.kind === 'upload_started') current = e.uploader === null ? { uploader: null, account: null } : { uploader: e.uploader, account: current.account };
    if (e.kind === 'trigger_hit' || e.kind === 'trigger_limit' || e.kind === 'sa_cycled') {
      const at = ms(e.time);
      // A cycle names the next SA: the limit was hit by the one in use before it.
      if (Number.isFinite(at) && current.account) hits.push({ atMs: at, uploader: current.uploader, account: current.account });
      if (e.kind === 'sa_cycled') current = { uploader: e.uploader ?? current.uploader, account: e.account };
    }
  }
  return hits;
}
