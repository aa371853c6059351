import type { Accounts, Health, Live, Logs, Pool, SessionFile, Transfers } from '../contract/index.js';
import { eventsSection } from './eventsSection.js';
import type { Chart } from './renderCharts.js';
import { bytes, count, duration, orDash, percent, speed, utc } from './format.js';
import { etaText, fileEta, fileSpeed, finishedSpeed, instanceText, movedText, queuedText } from './liveText.js';
import type { SnapshotData } from './snapshotData.js';
import { totalsSection } from './totals.js';
import { poolLastsSeconds, poolRateFor } from '../format/poolForecast.js';
import { withProgress } from '../format/sessionProgress.js';

/**
 * What a snapshot says, independent of its format: sections of plain-text tables and
 * charts. The HTML and the Markdown render this same model, so they hold the same tables;
 * every string in it is untrusted plain text, escaped only by the renderer.
 */

export interface Table {
  columns: string[];
  /** Right-aligned columns (figures). */
  right?: number[];
  rows: string[][];
  /** The first column names the row (key/value tables). */
  rowHeaders?: boolean;
}

export type Block = { kind: 'table'; table: Table } | { kind: 'text'; text: string } | { kind: 'chart'; chart: Chart };

export interface Section {
  id: string;
  title: string;
  blocks: Block[];
}

export interface SnapshotDoc {
  title: string;
  /** The data's time, UTC ISO. */
  time: string;
  sections: Section[];
}

/** The newest transfers and log lines a snapshot lists; the copied JSON has them all. */
export const TRANSFERS_SHOWN = 100;
export const LOG_LINES_SHOWN = 100;

export function buildDocument(data: SnapshotData, charts: Chart[], opts: { time: string; leftOut: string[]; redacted: boolean }): SnapshotDoc {
  const chart = (name: string): Block[] => {
    const c = charts.find((x) => x.name === name);
    return c ? [{ kind: 'chart', chart: c }] : [];
  };
  const sections: Section[] = [summary(data, opts)];
  if (data.summary) sections.push(totalsSection(data.summary));
  if (data.session) sections.push(session(data.session, data.live));
  if (data.live) sections.push(live(data.live, chart('throughput')));
  if (data.accounts) sections.push(accounts(data.accounts, chart('accounts'), data.live));
  if (data.transfers) sections.push(transfers(data.transfers));
  if (data['history-48h'] || data['history-90d']) sections.push(history(data, [...chart('history-48h'), ...chart('daily')]));
  if (data.distribution) sections.push(queue(data, chart('sizes')));
  if (data.logs) sections.push(logs(data.logs));
  if (data.events) sections.push(eventsSection(data.events, opts.time));
  if (data.health) sections.push(health(data.health));
  return { title: `plowboard snapshot ${utc(opts.time)}`, time: opts.time, sections };
}

/** Code-unit order: the same on every machine, unlike a locale's collation. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const table = (columns: string[], rows: string[][], right: number[] = []): Block => ({ kind: 'table', table: { columns, rows, right } });
const facts = (rows: [string, string][]): Block => ({ kind: 'table', table: { columns: ['', 'value'], rows, rowHeaders: true } });
const text = (t: string): Block => ({ kind: 'text', text: t });

function summary(data: SnapshotData, opts: { time: string; leftOut: string[]; redacted: boolean }): Section {
  const sidecar = data.health?.sidecar ?? data.index?.sidecar;
  const blocks: Block[] = [
    facts([
      ['Data time (UTC)', utc(opts.time)],
      ['Overall state', data.health?.state ?? '—'],
      ['Sidecar', sidecar ? `plowboard ${sidecar.version}, started ${utc(sidecar.startedAt)}` : '—'],
      ['File names', opts.redacted ? 'redacted (file-N placeholders)' : 'as uploaded'],
    ]),
  ];
  if (opts.leftOut.length) blocks.push(text('Left out of this snapshot:'), table(['file', 'why'], opts.leftOut.map((l) => splitProblem(l))));
  return { id: 'summary', title: 'Summary', blocks };
}

/** `data/logs.json: missing, left out` → [`data/logs.json`, `missing`]. */
function splitProblem(line: string): string[] {
  const i = line.indexOf(': ');
  return i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 2).replace(/, left out$/, '')];
}

function session(file: SessionFile, live: Live | undefined): Section {
  // live.json has an active session's moving figures at every poll; session.json every half beat.
  const s = withProgress(file.session, live);
  if (!s) return { id: 'session', title: 'Upload session', blocks: [text('No upload session recorded.')] };
  const p = s.stage.params;
  const stageParams = p
    ? [p.strategy && `strategy ${p.strategy}`, p.maxTransfer && `max transfer ${p.maxTransfer}`, p.maxSize && `max size ${p.maxSize}`, p.transfers != null && `${p.transfers} transfers`, p.orderBy && `order by ${p.orderBy}`, p.maxBacklog != null && `max backlog ${p.maxBacklog}`]
        .filter(Boolean)
        .join(', ')
    : '';
  return {
    id: 'session',
    title: 'Upload session',
    blocks: [
      facts([
        ['Uploader', orDash(s.uploader)],
        ['Active', `${s.active ? 'yes' : 'no'}${s.evidence.length ? ` (${s.evidence.join('; ')})` : ''}`],
        ['Service account', s.account.index != null ? `${s.account.index} of ${count(s.account.of)}${s.account.name ? `: ${s.account.name}` : ''}` : orDash(s.account.name)],
        ['Accounts used', s.accountsUsed.length ? s.accountsUsed.join(', ') : '—'],
        ['Stage', s.stage.number == null ? '—' : `${s.stage.number}${stageParams ? ` (${stageParams})` : ''}`],
        ['Upload folder', orDash(s.uploadFolder)],
        ['Started', utc(s.startedAt)],
        ['Ended', utc(s.endedAt)],
        ['Duration', duration(s.durationSeconds)],
        ['Files', `${s.files.done} of ${count(s.files.total)}`],
        ['Bytes', `${bytes(s.bytes.done)} of ${bytes(s.bytes.total)}`],
        ['Average speed', speed(s.averageSpeed)],
        ['ETA', duration(s.etaSeconds)],
        ['From', s.from],
        ...(s.forkSays?.differences.length ? [['The fork’s figures', s.forkSays.differences.join('; ')] as [string, string]] : []),
      ]),
    ],
  };
}

function live(l: Live, chart: Block[]): Section {
  const t = l.total;
  const inFlight = l.instances.flatMap((i) => i.transferring).sort((a, b) => byText(a.instance, b.instance) || byText(a.name, b.name));
  const queued = queuedText(t);
  const moved = movedText(t);
  const blocks: Block[] = [
    facts([
      ['Speed', speed(t.speed)],
      ['Moved', `${bytes(t.bytes)} of ${bytes(t.totalBytes)}`],
      ['ETA', etaText(t.eta)],
      ['Transfers', `${t.transfers} of ${t.totalTransfers}, ${t.inFlight} in flight${queued ? `, ${queued}` : ''}`],
      ...(moved ? [['Files moved', moved] as [string, string]] : []),
      ['Checks', `${t.checks} of ${t.totalChecks}`],
      ['Errors', String(t.errors)],
      ['rclone instances', l.instances.map(instanceText).join('; ') || '—'],
    ]),
    ...chart,
  ];
  if (inFlight.length) {
    // rclone 1.66+ names the remote each file goes to; older ones do not, and the column is left out.
    const dest = inFlight.some((f) => f.dstFs);
    blocks.push(
      table(
        ['file', 'instance', ...(dest ? ['to'] : []), 'progress', 'size', 'speed', 'ETA'],
        inFlight.map((f) => [f.name, f.instance, ...(dest ? [orDash(f.dstFs)] : []), percent(f.percentage, 0), bytes(f.size), fileSpeed(f), fileEta(f, l.generatedAt)]),
        dest ? [3, 4, 5] : [2, 3, 4],
      ),
    );
  } else {
    blocks.push(text(l.instances.some((i) => i.phase === 'scanning') ? 'Nothing in flight yet: rclone is scanning the source.' : 'Nothing in flight.'));
  }
  return { id: 'live', title: 'Now', blocks };
}

/** `uploader` null for the pool of all uploaders; how long it lasts is worked out from live.json's rate. */
const poolRow = (name: string, p: Pool, live: Live | undefined, uploader: string | null): string[] => [
  name,
  String(p.accounts),
  String(p.usableNow),
  String(p.exhausted),
  String(p.banned),
  bytes(p.capacityLeftBytes),
  utc(p.nextResetAt),
  duration(poolLastsSeconds(p, poolRateFor(live, uploader))),
];

function accounts(a: Accounts, chart: Block[], live?: Live): Section {
  const many = a.uploaders.length > 1;
  return {
    id: 'accounts',
    title: 'Service accounts',
    blocks: [
      text(`Quota ${a.quota.label} per account per ${a.quota.windowHours} h (${a.quota.from}).`),
      table(
        ['pool', 'accounts', 'usable now', 'exhausted', 'banned', 'capacity left', 'next reset (UTC)', 'lasts'],
        [...a.uploaders.map((u) => poolRow(u.name, u.pool, live, u.name)), ...(many ? [poolRow('all', a.pool, live, null)] : [])],
        [1, 2, 3, 4, 5, 7],
      ),
      ...chart,
      table(
        [...(many ? ['uploader'] : []), 'account', 'status', 'used', 'quota', 'used %', 'resets (UTC)', 'banned until (UTC)'],
        a.uploaders.flatMap((u) =>
          u.accounts.map((x) => [...(many ? [u.name] : []), x.name, x.status, bytes(x.usedBytes), bytes(x.quotaBytes), percent(x.percent), utc(x.resetAt), utc(x.bannedUntil)]),
        ),
        many ? [3, 4, 5] : [2, 3, 4],
      ),
    ],
  };
}

function transfers(t: Transfers): Section {
  const shown = t.transfers.slice(0, TRANSFERS_SHOWN);
  return {
    id: 'transfers',
    title: 'Finished transfers',
    blocks: [
      text(`${t.count} finished, ${t.failed} failed${shown.length < t.count ? `; the newest ${shown.length} shown` : ''}.`),
      table(
        ['completed (UTC)', 'file', 'size', 'took', 'avg speed', 'account', 'result'],
        shown.map((x) => [utc(x.completedAt), x.name, bytes(x.size ?? x.bytes), duration(x.durationSeconds), finishedSpeed(x), orDash(x.serviceAccount), x.ok ? (x.checked ? 'checked' : 'ok') : `failed: ${x.error ?? 'unknown error'}`]),
        [2, 3, 4],
      ),
    ],
  };
}

function history(data: SnapshotData, charts: Block[]): Section {
  const days = (data['history-90d']?.daily ?? []).filter((d) => d.key === 'total').sort((a, b) => (a.day < b.day ? 1 : -1)).slice(0, 14);
  const blocks: Block[] = [...charts];
  if (days.length) blocks.push(text('Uploaded per UTC day, the last 14 days:'), table(['day', 'uploaded'], days.map((d) => [d.day, bytes(d.bytes)]), [1]));
  if (!blocks.length) blocks.push(text('No history recorded yet.'));
  return { id: 'history', title: 'History', blocks };
}

function queue(data: SnapshotData, chart: Block[]): Section {
  const rows = data.distribution!.uploaders.flatMap((u) =>
    (['queue', 'history'] as const).flatMap((which) => {
      const d = u[which];
      return d ? [[u.name, which, String(d.totalFiles), bytes(d.totalBytes), bytes(d.percentiles.p50), bytes(d.percentiles.p90), bytes(d.percentiles.p99), d.confidence, utc(d.updatedAt)]] : [];
    }),
  );
  return {
    id: 'queue',
    title: 'Queue and file sizes',
    blocks: [...chart, rows.length ? table(['uploader', 'from', 'files', 'bytes', 'median', 'p90', 'p99', 'confidence', 'updated (UTC)'], rows, [2, 3, 4, 5, 6]) : text('No file sizes learned yet.')],
  };
}

function logs(l: Logs): Section {
  const shown = l.lines.slice(-LOG_LINES_SHOWN);
  return {
    id: 'logs',
    title: 'Recent log lines',
    blocks: [
      text(`The last ${shown.length} lines of ${l.file ?? "cloudplow's log"}, oldest first.`),
      table(['time (UTC)', 'level', 'logger', 'message'], shown.map((x) => [utc(x.time), orDash(x.rcloneLevel ?? x.level), orDash(x.logger), x.message])),
    ],
  };
}

function health(h: Health): Section {
  return {
    id: 'health',
    title: 'Health',
    blocks: [
      text(`Overall: ${h.state}.`),
      table(
        ['source', 'state', 'version', 'target', 'since (UTC)', 'last ok (UTC)', 'last error', 'what to do'],
        h.sources.map((s) => [
          s.name,
          s.state,
          [s.version, s.platform].filter(Boolean).join(' · ') || '—',
          s.target,
          utc(s.since),
          utc(s.lastOkAt),
          s.lastError ? `${utc(s.lastError.at)}: ${s.lastError.message}` : '—',
          // Notes say what works only in part; they belong with what to do about it.
          [s.hint, ...(s.notes ?? [])].filter(Boolean).join(' ') || '—',
        ]),
      ),
    ],
  };
}
