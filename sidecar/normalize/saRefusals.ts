import { createHash } from 'node:crypto';
import type { LogEvent, LogLine } from '../contract/index.js';
import { redact } from './secrets.js';

/**
 * A refusal seen in cloudplow.log: Google answering 403 rate limit to an SA (rclone's own
 * ERROR line, which cloudplow logs through its `process` logger), or cloudplow banning the
 * SA for it (the "cycling to service_account file" line, or "will continue … in N hours"
 * when it was the last SA).
 */
export type RefusalKind = 'rate_limit' | 'ban';

export interface Refusal {
  atMs: number;
  uploader: string;
  account: string;
  kind: RefusalKind;
  /** The log line's message, redacted and cut: shown as the SA's last refusal. */
  line: string;
  /** Time + uploader + SA + the line's hash: the same line read again (a restart, a rotation) has the same id. */
  id: string;
}

/** Which uploader and SA the lines that follow belong to, as the log has said so far. */
export interface SaContext {
  uploader: string | null;
  account: string | null;
  /**
   * The last refusal line's time and text, and how many in a row were the same: rclone prints
   * the same 403 twice within a millisecond, and both count. A re-read sees the same run, so
   * the same ordinals.
   */
  last?: { key: string; repeat: number };
}

export const NO_CONTEXT: SaContext = { uploader: null, account: null };

/** Cut before storing: the store keeps one line per SA, not payloads. */
const MAX_LINE = 400;

/**
 * Google's answer to an SA it throttles, as rclone prints it
 * ("Failed to copy: googleapi: Error 403: User rate limit exceeded., userRateLimitExceeded").
 * Not "Max Transfer Reached": that is rclone's own --max-transfer, not Google refusing.
 */
const RATE_LIMIT = /Error 403: User rate limit exceeded|userRateLimitExceeded|Error 403: Rate Limit Exceeded|rateLimitExceeded/i;
/** The end of cloudplow's abort lines: a ban of the SA in use ("Upload aborted due to trigger: … being met, …"). */
const ABORTED = /^Upload aborted due to trigger: /;

/**
 * The context after an event, and the refusal the line stands for, if any. Upstream
 * cloudplow and the fork log the same lines: "Starting upload" opens a run, "Using service
 * account: <path>" names the SA, "Uploading '…' to remote: <uploader>" names the uploader.
 * A refusal before any SA was named (a log that starts mid-run) is not attributed.
 */
export function followRefusals(ctx: SaContext, line: LogLine, event: LogEvent | null): { ctx: SaContext; refusal: Refusal | null } {
  const atMs = line.time ? Date.parse(line.time) : NaN;
  let refusal: Refusal | null = null;
  let last = ctx.last;
  if (Number.isFinite(atMs)) {
    let kind: RefusalKind | null = null;
    let owner: SaContext = ctx;
    if (line.logger === 'process' && RATE_LIMIT.test(line.message)) kind = 'rate_limit';
    else if (event && (event.kind === 'sa_cycled' || event.kind === 'uploader_suspended') && ABORTED.test(event.message)) {
      // A cycle names the next SA: the ban is the one in use before it.
      [kind, owner] = ['ban', { uploader: event.uploader ?? ctx.uploader, account: ctx.account }];
    }
    if (kind) {
      const key = `${atMs}\0${line.message}`;
      last = { key, repeat: last?.key === key ? last.repeat + 1 : 0 };
      refusal = make(owner, atMs, kind, line.message, last.repeat);
    }
  }
  const next = nextContext(ctx, event);
  return { ctx: last === next.last ? next : { ...next, last }, refusal };
}

function nextContext(ctx: SaContext, event: LogEvent | null): SaContext {
  if (!event) return ctx;
  if (event.kind === 'sa_chosen') return { ...ctx, uploader: event.uploader ?? ctx.uploader, account: event.account };
  // "Starting upload" opens a run; "Uploading … to remote" follows the SA's choice and keeps it.
  if (event.kind === 'upload_started') return event.uploader === null ? { ...NO_CONTEXT, last: ctx.last } : { ...ctx, uploader: event.uploader };
  if (event.kind === 'sa_cycled') return { ...ctx, uploader: event.uploader ?? ctx.uploader, account: event.account };
  return ctx;
}

function make(ctx: SaContext, atMs: number, kind: RefusalKind, message: string, repeat: number): Refusal | null {
  if (!ctx.uploader || !ctx.account) return null;
  const text = redact(message);
  const line = text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)} …` : text;
  const id = createHash('sha1').update([atMs, ctx.uploader, ctx.account, kind, message, repeat].join('\0')).digest('base64url').slice(0, 16);
  return { atMs, uploader: ctx.uploader, account: ctx.account, kind, line, id };
}
