import type { LogEvent, LogLine } from '../contract/index.js';
import { accountName } from './accountName.js';
import { redact } from './secrets.js';

/** A message longer than this is cut: the page shows lines, not payloads. */
const MAX_MESSAGE = 2000;

// '%(asctime)s - %(levelname)-10s - %(name)-20s - %(funcName)-30s - %(message)s'
const LINE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}),(\d{3}) - (\S+)\s* - (\S+)\s* - (\S+)\s* - ?(.*)$/s;
// rclone's own line inside a `process` message: 2019/07/10 17:14:40 ERROR : …
const RCLONE = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? (DEBUG|INFO|NOTICE|ERROR|CRITICAL|EMERGENCY|ALERT|WARNING)\s*:\s?(.*)$/s;

/** asctime and rclone's stamp are in cloudplow's local time; the sidecar is assumed to share its zone. */
const localIso = (p: string[]): string | null => {
  const [y, mo, d, h, mi, s, ms] = p.map(Number) as [number, number, number, number, number, number, number?];
  const date = new Date(y, mo - 1, d, h, mi, s, ms ?? 0);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
};

/**
 * Control characters (other than tab) are dropped: a binary line must not become markup or
 * terminal escapes. Secrets go before the cut: half a password is not recognized as one.
 */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  const printable = redact(text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, ''));
  return printable.length > MAX_MESSAGE ? `${printable.slice(0, MAX_MESSAGE)} …` : printable;
}

/** One line of cloudplow.log; a line in another shape (a traceback) is kept as a message without fields. */
export function parseLogLine(raw: string): LogLine {
  const m = LINE.exec(raw);
  if (!m) return { time: null, level: null, logger: null, func: null, message: clean(raw) };
  const message = clean(m[11]!);
  const line: LogLine = { time: localIso(m.slice(1, 8)), level: m[8]!, logger: m[9]!, func: m[10]!, message };
  const r = m[9] === 'process' ? RCLONE.exec(message) : null;
  if (r) {
    line.rcloneTime = localIso(r.slice(1, 7));
    line.rcloneLevel = r[7]!;
  }
  return line;
}

const UNTIL = /at (\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})/;

type Recognizer = [RegExp, (m: RegExpExecArray, line: LogLine) => Partial<LogEvent> & { kind: string }];

/**
 * The messages cloudplow writes at the moments that matter (cloudplow.py, uploader.py;
 * see the reference). Order matters: the first match wins.
 */
const RECOGNIZERS: Recognizer[] = [
  [/^Starting upload$/, () => ({ kind: 'upload_started' })],
  [/^Uploading '(.*)' to remote: (.+)$/, (m) => ({ kind: 'upload_started', uploader: m[2]!, detail: m[1]! })],
  [/^There (?:is|are) (\d+) available service accounts?/, (m) => ({ kind: 'sa_count', detail: m[1]! })],
  [/^Using service account: (.+)$/, (m) => ({ kind: 'sa_chosen', account: accountName(m[1]!.trim()) })],
  [
    /^Upload aborted due to trigger: (.+?) being met, (.+?) is cycling to service_account file: (.+)$/,
    (m) => ({ kind: 'sa_cycled', uploader: m[2]!, account: accountName(m[3]!.trim()), detail: m[1]! }),
  ],
  [/^Tracked (?:first occurrence of trigger|trigger): (.+?)(?: has occurred.*)?$/, (m) => ({ kind: 'trigger_tracked', detail: m[1]! })],
  // A trigger seen as often as rclone_sleeps allows: cloudplow ends rclone (exit -9) and cycles the SA or pauses.
  [/^Trigger reached configuration limit\.?$/, () => ({ kind: 'trigger_limit', detail: 'a trigger reached its configured count' })],
  [/^Tracked trigger:? (.+?),? has reached the maximum limit of (\d+) occurrences/, (m) => ({ kind: 'trigger_limit', detail: m[1]! })],
  [/^Received 'Max Transfer Reached' signal from Rclone/, () => ({ kind: 'trigger_limit', detail: 'Max Transfer Reached' })],
  [/^(.+?) is still suspended due to a previously aborted upload/, (m, l) => ({ kind: 'uploader_suspended', uploader: m[1]!, until: untilOf(l.message) })],
  // Said once per uploader before the run's own "Finished upload": not a second end of the run.
  [/^Upload (not )?completed successfully for uploader: (.+)$/, (m) => ({ kind: 'uploader_done', uploader: m[2]!, detail: m[1] ? 'not completed' : 'completed' })],
  [
    /^Upload aborted due to trigger: (.+?) being met, (.+?) will continue automatic uploading normally in (\d+) hours?/,
    (m, l) => ({ kind: 'uploader_suspended', uploader: m[2]!, detail: m[1]!, until: l.time ? new Date(Date.parse(l.time) + Number(m[3]) * 3600_000).toISOString() : null }),
  ],
  // Upstream and the fork say it when every SA of an uploader is banned: no upload is tried.
  [/^Upload aborted due to the fact that no service accounts are currently unbanned and available to use for remote (.+)$/, (m) => ({ kind: 'no_accounts_left', uploader: m[1]! })],
  // The line after it: when the first SA comes free, and the uploader with it.
  [/^Lowest Remaining time till unban is (.+)$/, (m, l) => ({ kind: 'unban_expected', until: unbanAt(m[1]!.trim(), l.time) })],
  [/^Finished upload$/, () => ({ kind: 'upload_finished' })],
  [/^Uploader: (.+?)\. Local folder size is currently/, (m) => ({ kind: 'size_check', uploader: m[1]! })],
];

const RCLONE_RECOGNIZERS: Recognizer[] = [
  [/Error 403: User rate limit exceeded|userRateLimitExceeded|Max Transfer Reached|max transfer limit reached/i, () => ({ kind: 'trigger_hit', detail: '403: User rate limit exceeded' })],
  [/^(?:INFO|NOTICE)\s*:\s*(.+?): Copied \(/, (m) => ({ kind: 'file_copied', detail: m[1]! })],
  [/^(?:INFO|NOTICE)\s*:\s*(.+?): Moved \(server-side\)/, (m) => ({ kind: 'file_moved', detail: m[1]! })],
];

function untilOf(message: string): string | null {
  const m = UNTIL.exec(message);
  return m ? localIso(m.slice(1, 7)) : null;
}

const UNIT_SECONDS: Record<string, number> = { day: 86400, hour: 3600, minute: 60, second: 1 };

/**
 * Upstream logs the moment itself (a Unix time, `1733590000.5`), the fork the time left in
 * words (`5 hours, 3 minutes and 2 seconds`, from the line's time).
 */
function unbanAt(text: string, lineTime: string | null): string | null {
  if (/^\d+(\.\d+)?$/.test(text)) return new Date(Number(text) * 1000).toISOString();
  const parts = [...text.matchAll(/(\d+) (day|hour|minute|second)s?\b/g)];
  if (!parts.length || lineTime === null) return null;
  const seconds = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_SECONDS[p[2]!]!, 0);
  return new Date(Date.parse(lineTime) + seconds * 1000).toISOString();
}

/** The event a line stands for, if any. */
export function eventOf(line: LogLine): LogEvent | null {
  if (line.time === null) return null;
  const rclone = line.rcloneLevel !== undefined;
  const text = rclone ? line.message.replace(/^\S+ \S+ /, '') : line.message;
  for (const [re, make] of rclone ? RCLONE_RECOGNIZERS : RECOGNIZERS) {
    const m = re.exec(text);
    if (m) return { uploader: null, account: null, detail: null, until: null, ...make(m, line), time: line.time, message: line.message };
  }
  return null;
}
