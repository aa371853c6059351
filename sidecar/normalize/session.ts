import prettyBytes from 'pretty-bytes';
import type { Session, StageParams, Transfer } from '../contract/index.js';
import { duration } from '../format/duration.js';
import { asArray, asBool, asCount, asNumber, asObject, asString } from './coerce.js';
import { accountName } from './accountName.js';

/** A log line newer than this counts as "cloudplow is doing something". rclone's --stats 60s keeps it busy. */
export const LOG_RECENT_MS = 3 * 60_000;

/** What the log says about the latest session, for upstream cloudplow that has no session file. */
export interface LogSession {
  uploader: string | null;
  startedAtMs: number;
  account: string | null;
  /** Every SA the session chose or cycled to, in order. */
  accountsUsed: string[];
  accountsAvailable: number | null;
  finishedAtMs: number | null;
}

export interface SessionInput {
  now: number;
  /** dashboard_session_state.json (the fork), parsed, or null. */
  stateFile: unknown;
  logSession: LogSession | null;
  lastLogAtMs: number | null;
  /** ownerRunning: whether a cloudplow process of this installation runs; null where that cannot be seen. */
  lock: { present: boolean; sinceMs: number | null; ownerRunning?: boolean | null } | null;
  rclone: {
    reachable: boolean;
    inFlight: number;
    checking: number;
    scanning?: boolean;
    bytesInFlight: number;
    totalBytes: number;
    totalFiles: number;
    etaSeconds: number | null;
    /** What this rclone run finished so far: its totals are this run's, not the session's. */
    doneFiles?: number;
    doneBytes?: number;
  };
  /** The SAs cloudplow picks from, in its order (available ones sorted by the digits in their names); asked only for a session from the log. */
  accountOrder?: () => readonly string[];
  /** Completed transfers, any order. */
  transfers: readonly Transfer[];
}

/**
 * The current or last session. Progress comes from what rclone reports finished, never
 * from the fork's transferred_* counters (they count every file twice), and "active" is
 * decided from evidence: the fork leaves active: true behind after a normal finish.
 */
export function buildSession(input: SessionInput): Session | null {
  const file = asObject(input.stateFile);
  const log = input.logSession;
  const fileStart = file ? epochMs(file.session_start_time) : null;
  // The newer of the two wins: a log that shows a later start means the file is left over.
  const useFile = file !== null && fileStart !== null && !(log && log.startedAtMs > fileStart + 60_000);
  if (!useFile && !log) return null;

  const startedAtMs = useFile ? fileStart! : log!.startedAtMs;
  const uploader = useFile ? asString(file!.uploader) : log!.uploader;
  const flagActive = useFile ? asBool(file!.active) : null;
  const fileEndMs = useFile ? epochMs(file!.session_end_time) : null;
  const logFinishedMs = log && log.startedAtMs >= startedAtMs - 60_000 ? log.finishedAtMs : null;
  const finishedMs = fileEndMs ?? logFinishedMs;

  const { active, evidence } = decideActive(input, flagActive, finishedMs);
  const since = input.transfers.filter((t) => Date.parse(t.completedAt) >= startedAtMs && t.ok && !t.checked);
  const filesDone = since.length;
  const bytesDone = since.reduce((n, t) => n + t.bytes, 0) + (active ? input.rclone.bytesInFlight : 0);
  const lastActivity = Math.max(startedAtMs, ...since.map((t) => Date.parse(t.completedAt)), active ? input.now : 0);
  const endedAtMs = active ? null : (finishedMs ?? lastActivity);
  const durationSeconds = Math.max(0, ((endedAtMs ?? input.now) - startedAtMs) / 1000);

  // rclone's totals cover its own run; cloudplow starts one per SA. The session's total is
  // what earlier runs finished plus this run's total, so done never passes it.
  const runTotal = (total: number, runDone: number | undefined, sessionDone: number) =>
    active && total > 0 ? Math.max(sessionDone, sessionDone - (runDone ?? 0) + total) : null;
  const totalBytes =
    positive(useFile ? asCount(file!.total_bytes) : null) ?? runTotal(input.rclone.totalBytes, input.rclone.doneBytes, bytesDone - (active ? input.rclone.bytesInFlight : 0));
  const totalFiles = positive(useFile ? asCount(file!.total_files) : null) ?? runTotal(input.rclone.totalFiles, input.rclone.doneFiles, filesDone);
  const averageSpeed = durationSeconds > 0 ? bytesDone / durationSeconds : null;
  const remaining = totalBytes !== null ? Math.max(0, totalBytes - bytesDone) : null;
  const etaSeconds = !active
    ? null
    : input.rclone.etaSeconds !== null && input.rclone.etaSeconds > 0
      ? input.rclone.etaSeconds
      : remaining !== null && averageSpeed
        ? Math.round(remaining / averageSpeed)
        : null;

  const currentSa = useFile ? asString(file!.current_sa) : log!.account;
  const currentName = currentSa ? accountName(currentSa) : null;
  const order = (!useFile && input.accountOrder?.()) || [];
  // Upstream says only "There is N available service accounts" and the SA it uses: its place is in cloudplow's own order.
  const placeInOrder = currentName !== null && order.includes(currentName) ? order.indexOf(currentName) : null;
  const saIndex = useFile ? asCount(file!.sa_index) : placeInOrder;
  const used = useFile ? asArray(file!.sas_used).flatMap((x) => (typeof x === 'string' ? [accountName(x)] : [])) : log!.accountsUsed;
  return {
    uploader,
    active,
    evidence,
    flagActive,
    account: {
      index: saIndex !== null ? saIndex + 1 : null,
      of: useFile ? asCount(file!.total_sas) : (log?.accountsAvailable ?? (order.length || null)),
      name: currentName,
    },
    // The fork's "already used" check compares a path with base names, so names can repeat.
    accountsUsed: [...new Set(used)],
    stage: { number: useFile ? asCount(file!.stage) : null, params: useFile ? stageParams(file!.stage_params) : null },
    uploadFolder: useFile ? asString(file!.upload_folder) : null,
    startedAt: iso(startedAtMs),
    endedAt: endedAtMs !== null ? iso(endedAtMs) : null,
    durationSeconds: Math.round(durationSeconds),
    files: { done: filesDone, total: totalFiles },
    bytes: { done: bytesDone, total: totalBytes },
    averageSpeed: averageSpeed !== null ? Math.round(averageSpeed) : null,
    etaSeconds,
    from: useFile ? 'dashboard_session_state.json' : 'cloudplow.log',
    forkSays: useFile ? forkFigures(file!, { active, filesDone, bytesDone, durationSeconds: Math.round(durationSeconds) }) : null,
  };
}

interface Measured {
  active: boolean;
  filesDone: number;
  bytesDone: number;
  durationSeconds: number;
}

/**
 * What the fork's own dashboard would say, from the same file. Its counters add every file
 * twice (once as it finishes, once more with the stage's totals), and its dashboard counts
 * the session's time up to now for as long as the file says active, which it still says
 * after a normal finish: hours for a run of minutes, and an average speed to match.
 */
function forkFigures(file: Record<string, unknown>, m: Measured): NonNullable<Session['forkSays']> {
  const files = asCount(file.transferred_files);
  const bytes = asCount(file.transferred_bytes);
  const durationSeconds = asCount(file.total_duration_seconds);
  const differences: string[] = [];
  // While it runs the file is saved every tenth file, so it may trail: only a count past plowboard's contradicts it then.
  const contradicts = (theirs: number, ours: number) => theirs !== ours && !(m.active && theirs < ours);
  if (files !== null && contradicts(files, m.filesDone)) differences.push(`it counts ${files} files done where ${m.filesDone} finished`);
  if (bytes !== null && contradicts(bytes, m.bytesDone))
    differences.push(`it counts ${prettyBytes(bytes, { binary: true })} where ${prettyBytes(m.bytesDone, { binary: true })} moved`);
  if (durationSeconds !== null && Math.abs(durationSeconds - m.durationSeconds) > 60) differences.push(`it says the session took ${duration(durationSeconds)}, not ${duration(m.durationSeconds)}`);
  if (!m.active && asBool(file.active) === true) differences.push('it still says active, so its dashboard counts the time, and the average speed, up to now');
  return { files, bytes, durationSeconds, differences };
}

function decideActive(input: SessionInput, flagActive: boolean | null, finishedMs: number | null): { active: boolean; evidence: string[] } {
  const evidence: string[] = [];
  // Listing a big library before the first upload takes minutes: that is work too (rclone 1.70+ shows it).
  const scanning = input.rclone.reachable && !!input.rclone.scanning;
  const busy = input.rclone.reachable && (input.rclone.inFlight > 0 || input.rclone.checking > 0 || scanning);
  const logRecent = input.lastLogAtMs !== null && input.now - input.lastLogAtMs < LOG_RECENT_MS;
  // A lock whose cloudplow is gone (killed, crashed) is left over: it says nothing of an upload.
  const leftOver = (input.lock?.present ?? false) && input.lock?.ownerRunning === false;
  const lock = (input.lock?.present ?? false) && !leftOver;
  evidence.push(
    busy
      ? scanning && !input.rclone.inFlight && !input.rclone.checking
        ? 'rclone is scanning the source'
        : `rclone is busy (${input.rclone.inFlight} in flight, ${input.rclone.checking} checking)`
      : input.rclone.reachable
        ? 'rclone answers but moves nothing'
        : 'rclone is not running',
  );
  if (input.lock) evidence.push(leftOver ? 'the upload lock file is left over: no cloudplow process runs' : lock ? 'the upload lock file is present' : 'no upload lock file');
  // Worded without a running count, so that session.json does not change on every tick.
  if (input.lastLogAtMs !== null) evidence.push(logRecent ? 'cloudplow logged in the last 3 minutes' : 'no log line in the last 3 minutes');
  if (finishedMs !== null) evidence.push('the session has finished');
  if (flagActive !== null) evidence.push(`the session file says ${flagActive ? 'active' : 'not active'}`);
  // The fork leaves active: true behind when it stops: its flag counts only where the lock file cannot be seen.
  const lockUnknown = input.lock === null;
  const active = busy || (finishedMs === null && ((lock && (logRecent || input.lastLogAtMs === null || flagActive === true)) || (lockUnknown && flagActive === true && logRecent)));
  return { active, evidence };
}

function stageParams(raw: unknown): StageParams | null {
  const p = asObject(raw);
  if (!p) return null;
  return {
    strategy: asString(p.strategy),
    maxTransfer: asString(p.max_transfer),
    maxSize: asString(p.max_size),
    transfers: asCount(p.transfers),
    orderBy: asString(p.order_by),
    maxBacklog: asCount(p.max_backlog),
  };
}

function epochMs(v: unknown): number | null {
  const n = asNumber(v);
  return n !== null && n > 0 ? n * 1000 : null;
}

const positive = (n: number | null) => (n !== null && n > 0 ? n : null);
const iso = (ms: number) => new Date(ms).toISOString();
