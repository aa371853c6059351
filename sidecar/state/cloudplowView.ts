import { envelope, type Accounts, type Distribution, type Live, type PoolRate, type SessionProgress, type LogEvent, type LogLine, type Logs, type SessionFile, type Transfer } from '../contract/index.js';
import type { SaQuota } from '../config/schema.js';
import { parseLearnedSizes } from '../normalize/distribution.js';
import { sessionFromLog } from '../normalize/logSession.js';
import { buildSession } from '../normalize/session.js';
import type { AccountsInput } from '../normalize/accounts.js';
import { accountName } from '../normalize/accountName.js';
import { naturalCompare } from '../normalize/naturalCompare.js';
import type { LogSession } from '../normalize/session.js';
import type { CloudplowSnapshot } from '../sources/cloudplowSnapshot.js';
import { AccountsCache } from './accountsCache.js';

// Kept reachable here for code that builds a view by hand (test helpers); the type belongs to its producer.
export type { CloudplowSnapshot } from '../sources/cloudplowSnapshot.js';

export interface ViewInput {
  snapshot: CloudplowSnapshot;
  live: Live;
  /** Every rclone instance reachable (any state but idle, unreachable, auth_failed, missing). */
  rcloneReachable: boolean;
  transfers: readonly Transfer[];
  quota: SaQuota;
  /** The uploading speed to forecast the pool with: the recent average, steadier than the instant. */
  recentBytesPerSecond: number | null;
  /** How many seconds that average is over. */
  recentWindowSeconds?: number;
  now: number;
  generatedAt: string;
  /** What plowboard saw each SA upload (upstream cloudplow keeps no quota file). */
  observed?: AccountsInput['observed'];
  /** 403s and bans per SA seen in the log, kept across restarts. */
  refusals?: AccountsInput['refusals'];
}

export interface CloudplowView {
  accounts: Accounts;
  /** For live.json: the rate the session's pool drains at (see PoolRate for why it is not in accounts.json). */
  poolRate: PoolRate | null;
  /** For live.json: the active session's moving figures, which session.json refreshes less often. */
  sessionProgress: SessionProgress | null;
  session: SessionFile;
  distribution: Distribution;
  logs: Logs;
}

/**
 * The four cloudplow data files from one snapshot: the session first, since accounts need
 * its SA. A long-lived caller passes its own `accounts` cache, and gets the same accounts
 * object back for as long as they stand.
 */
export function cloudplowView(input: ViewInput, accountsCache = new AccountsCache()): CloudplowView {
  const { snapshot, live, now, generatedAt } = input;
  const inFlight = live.instances.flatMap((i) => i.transferring);
  const logSession = sessionFromLog(snapshot.log.events);
  const bytesInFlight = inFlight.reduce((n, t) => n + t.bytes, 0);
  const session = buildSession({
    now,
    stateFile: snapshot.sessionState,
    logSession,
    lastLogAtMs: snapshot.log.lastLineAtMs,
    lock: snapshot.lock,
    rclone: {
      reachable: input.rcloneReachable,
      inFlight: live.total.inFlight,
      checking: live.instances.reduce((n, i) => n + i.checking.length, 0),
      scanning: live.instances.some((i) => i.phase === 'scanning'),
      bytesInFlight,
      totalBytes: live.total.totalBytes,
      totalFiles: live.total.totalTransfers,
      etaSeconds: live.total.eta,
      doneFiles: live.total.transfers,
      // rclone's bytes count the files in flight as far as they got: what the run finished is the rest.
      doneBytes: live.total.bytes - bytesInFlight,
    },
    accountOrder: () => accountOrder(snapshot, logSession),
    transfers: input.transfers,
  });
  const accounts = accountsCache.get(
    {
      now,
      quota: input.quota,
      uploaders: snapshot.uploaders,
      rawQuotaCache: snapshot.quotaCache,
      saBans: snapshot.saBans,
      uploaderBans: snapshot.uploaderBans,
      active: session?.active && session.account.name ? { uploader: session.uploader, account: session.account.name } : null,
      events: snapshot.log.events,
      ...(input.observed ? { observed: input.observed } : {}),
      ...(input.refusals ? { refusals: input.refusals } : {}),
    },
    generatedAt,
  );
  const poolRate: PoolRate | null =
    session?.active && session.uploader !== null
      ? { uploader: session.uploader, bytesPerSecond: Math.round(input.recentBytesPerSecond || live.total.speed), windowSeconds: input.recentWindowSeconds ?? 900 }
      : null;
  const sessionProgress: SessionProgress | null = session?.active
    ? { filesDone: session.files.done, bytesDone: session.bytes.done, averageSpeed: session.averageSpeed, etaSeconds: session.etaSeconds }
    : null;
  return {
    accounts,
    poolRate,
    sessionProgress,
    session: { ...envelope(generatedAt), session },
    // Made when read: a long-lived publisher writes them only after cloudplow's files changed,
    // and copying the log's lines and events on every poll was garbage for nothing.
    get distribution() {
      return { ...envelope(generatedAt), uploaders: parseLearnedSizes(snapshot.learnedSizes) };
    },
    get logs() {
      return { ...envelope(generatedAt), file: snapshot.log.file, lines: [...snapshot.log.lines], events: [...snapshot.log.events] };
    },
  };
}

/**
 * The SAs upstream cloudplow picks from at a session's start, in its order: the uploader's
 * SA files not banned then (an SA this session used stays in), sorted by the digits in
 * their names. "SA n of m" is the current SA's place in it.
 */
function accountOrder(snapshot: CloudplowSnapshot, log: LogSession | null): string[] {
  const uploader = snapshot.uploaders.find((u) => u.name === log?.uploader) ?? (snapshot.uploaders.length === 1 ? snapshot.uploaders[0] : undefined);
  if (!uploader) return [];
  const bans = snapshot.saBans[uploader.name] ?? {};
  const bannedAtStart = new Set(
    Object.entries(bans)
      .filter(([, until]) => typeof until === 'number' && until * 1000 > (log?.startedAtMs ?? 0))
      .map(([p]) => accountName(p)),
  );
  return uploader.serviceAccounts
    .map((p) => accountName(p))
    .filter((n) => !bannedAtStart.has(n) || log?.accountsUsed.includes(n))
    .sort(naturalCompare);
}
