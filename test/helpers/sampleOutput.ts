import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  HISTORY_RANGES,
  dataPath,
  type Events,
  type Health,
  type Live,
  type LogEvent,
  type LogLine,
  type Manifest,
  type Transfer,
} from '../../sidecar/contract/index.js';
import { effectiveConfig } from '../../sidecar/config/effective.js';
import type { ResolvedConfig } from '../../sidecar/config/schema.js';
import { cloudplowView, type CloudplowSnapshot } from '../../sidecar/state/cloudplowView.js';
import type { RefusalView } from '../../sidecar/normalize/accounts.js';
import { HistoryStore } from '../../sidecar/state/history.js';
import { timelineFromLog } from '../../sidecar/normalize/logTimeline.js';
import { EventDerivation, sidecarEvent } from '../../sidecar/state/eventDerivation.js';
import { EventLog } from '../../sidecar/state/eventLog.js';
import { makeBadges } from '../../sidecar/state/badges.js';
import { summarize } from '../../sidecar/state/summary.js';
import { writeSchemas } from '../../sidecar/write/schemas.js';
import { buildHeartbeat, buildManifest } from './manifest.js';

/** Markup, a formula and a newline: what a hostile file or SA name looks like. */
export const EVIL_NAME = '<img src=x onerror=alert(1)>"=cmd|\' /C calc\'!A0\nnext.mkv';
const GiB = 1024 ** 3;
/** How long the sample's stalled file (the last in flight, when there are two or more) has had no byte. */
export const STALLED_FOR_MS = 3 * 60_000;
/** The finished transfer that is a server-side move: 0 bytes uploaded. */
export const SERVER_SIDE_ID = 't4';

export interface SampleOptions {
  now?: number;
  /** Service accounts for the one uploader. */
  accounts?: number;
  /** Finished transfers. */
  transfers?: number;
  /** Transfers in flight. */
  inFlight?: number;
  /** Hours of history samples, every 5 s for the last hour and every minute before. */
  historyHours?: number;
  /** Refusals per SA (403s, bans) as the sidecar's store publishes them. */
  refusals?: RefusalView;
}

/**
 * A full, schema-valid set of data files for page and snapshot tests, made by the
 * sidecar's own normalizers from a synthetic cloudplow snapshot: the shapes are the
 * real ones, and hostile names are in every list.
 */
export function sampleData(opts: SampleOptions = {}): Record<string, unknown> {
  const now = opts.now ?? Date.now();
  const generatedAt = new Date(now).toISOString();
  const nAccounts = opts.accounts ?? 12;
  const saDir = '/opt/sa';
  const names = Array.from({ length: nAccounts }, (_, i) => (i === 3 ? `${EVIL_NAME}.json` : `${i + 1}.json`));
  const quotaCache = {
    google: Object.fromEntries(
      names.slice(0, Math.ceil(nAccounts / 2)).map((n, i) => [
        `${saDir}/${n}`,
        { bytes: Math.min(760, 100 + i * 140) * GiB, reset_time: (now + (i + 1) * 3600_000) / 1000, first_upload: (now - 3600_000) / 1000 },
      ]),
    ),
  };
  // The averages (`speed`) rise down the list while the current rates (`speedAvg`) fall, so a
  // page that ranks or labels by the wrong one shows it. The last of several is stalled.
  const nInFlight = opts.inFlight ?? 2;
  const inFlight = Array.from({ length: nInFlight }, (_, i) => {
    const stalled = nInFlight > 1 && i === nInFlight - 1;
    return {
      instance: 'default',
      name: i === 0 ? `Movies/${EVIL_NAME}` : `TV/Show.S01E${String(i).padStart(2, '0')}.mkv`,
      size: (2 + i) * GiB,
      bytes: Math.round((1 + i * 0.3) * GiB),
      percentage: 50,
      speed: (30 + 4 * i) * 1024 ** 2,
      speedAvg: stalled ? 0 : (i === 0 ? 45 : 38 - 2 * i) * 1024 ** 2,
      eta: stalled ? null : 30 + i,
      ...(stalled ? { stalledSince: new Date(now - STALLED_FOR_MS).toISOString() } : {}),
      group: 'job/1',
      dstFs: 'gdrive:Media',
    };
  });
  const total = {
    speed: inFlight.length * 40 * 1024 ** 2,
    bytes: 500 * GiB,
    totalBytes: 900 * GiB,
    eta: 3600,
    transfers: 120,
    totalTransfers: 300,
    checks: 10,
    totalChecks: 10,
    errors: 1,
    inFlight: inFlight.length,
    queued: 2,
    queuedExact: true,
    moved: 3,
    removedFromSource: 3,
  };
  const live: Live = {
    schemaVersion: 1,
    generatedAt,
    total: { ...total, activeInstances: 1 },
    instances: [
      {
        name: 'default',
        state: 'ok',
        lastSeenAt: generatedAt,
        ...total,
        speedAvg: total.speed,
        phase: 'transferring',
        lastError: null,
        fatalError: false,
        retryError: false,
        transferring: inFlight,
        checking: [],
      },
    ],
    throughput: {
      windowSeconds: 600,
      points: Array.from({ length: 60 }, (_, i) => ({ t: new Date(now - (60 - i) * 10_000).toISOString(), instance: 'default', bytesPerSecond: (60 + 20 * Math.sin(i / 5)) * 1024 ** 2 })),
    },
  };
  const transfers: Transfer[] = Array.from({ length: opts.transfers ?? 40 }, (_, i) => {
    const size = ((i % 7) + 1) * 700 * 1024 ** 2;
    const ok = i % 13 !== 5;
    return {
      id: `t${i}`,
      instance: 'default',
      name: i === 2 ? `Movies/${EVIL_NAME}` : `Movies/Film ${i} (2023)/Film.${i}.2160p.mkv`,
      size,
      bytes: ok ? size : Math.round(size / 3),
      checked: false,
      ok,
      error: ok ? null : 'googleapi: Error 403: User rate limit exceeded., userRateLimitExceeded <b>',
      startedAt: new Date(now - i * 60_000 - 30_000).toISOString(),
      completedAt: new Date(now - i * 60_000).toISOString(),
      durationSeconds: 30,
      avgSpeed: Math.round(size / 30),
      group: 'job/1',
      uploader: 'google',
      serviceAccount: names[0] ?? null,
      source: i % 3 === 0 ? 'cloudplow' : 'rclone',
      dstFs: 'gdrive:Media',
      // Moved on the remote (rclone 1.66+ says so): nothing uploaded, so no speed to speak of.
      ...(`t${i}` === SERVER_SIDE_ID ? { serverSide: true, bytes: 0, avgSpeed: 0, durationSeconds: 0 } : {}),
    };
  });
  const logTime = (msAgo: number) => new Date(now - msAgo).toISOString();
  const lines: LogLine[] = [
    { time: logTime(3600_000), level: 'INFO', logger: 'cloudplow', func: 'do_upload', message: 'Starting upload' },
    { time: logTime(3599_000), level: 'INFO', logger: 'cloudplow', func: 'do_upload', message: `There is ${nAccounts} available service accounts` },
    { time: logTime(3598_000), level: 'INFO', logger: 'uploader', func: 'set_service_account', message: `Using service account: ${saDir}/1.json` },
    { time: logTime(60_000), level: 'INFO', logger: 'process', func: 'execute', message: `2026/11/22 10:00:00 INFO  : Movies/${EVIL_NAME}: Copied (new)`, rcloneTime: logTime(60_000), rcloneLevel: 'INFO' },
    { time: logTime(30_000), level: 'ERROR', logger: 'process', func: 'execute', message: '2026/11/22 10:00:30 ERROR : x.mkv: Failed to copy: googleapi: Error 403: User rate limit exceeded', rcloneTime: logTime(30_000), rcloneLevel: 'ERROR' },
  ];
  const events: LogEvent[] = [
    { kind: 'upload_started', time: logTime(3600_000), uploader: 'google', account: null, detail: null, until: null, message: 'Starting upload' },
    { kind: 'sa_count', time: logTime(3599_000), uploader: 'google', account: null, detail: String(nAccounts), until: null, message: lines[1]!.message },
    { kind: 'sa_chosen', time: logTime(3598_000), uploader: 'google', account: '1.json', detail: null, until: null, message: lines[2]!.message },
    { kind: 'file_copied', time: logTime(60_000), uploader: 'google', account: null, detail: `Movies/${EVIL_NAME}`, until: null, message: lines[3]!.message },
  ];
  const snapshot: CloudplowSnapshot = {
    uploaders: [{ name: 'google', remote: 'google:/Media', uploadFolder: '/mnt/local/Media', serviceAccountPath: saDir, serviceAccounts: names.map((n) => `${saDir}/${n}`) }],
    quotaCache,
    sessionState: {
      active: true,
      uploader: 'google',
      session_start_time: (now - 3600_000) / 1000,
      current_sa: `${saDir}/1.json`,
      sa_index: 0,
      total_sas: nAccounts,
      sas_used: ['1.json'],
      stage: 1,
      stage_params: { strategy: 'largest_first', max_transfer: '700G', transfers: 8 },
      upload_folder: '/mnt/local/Media',
      total_bytes: 900 * GiB,
      total_files: 300,
      // The fork's own counter, past what finished (it counts each file twice).
      transferred_files: 600,
    },
    learnedSizes: {
      google: {
        queue_distribution: learnedBlock(now - 600_000, 400),
        transfer_history: learnedBlock(now - 86400_000, 30),
      },
    },
    saBans: { google: { [`${saDir}/2.json`]: (now + 20 * 3600_000) / 1000 } },
    uploaderBans: {},
    log: { file: '/opt/cloudplow/cloudplow.log', lines, events, lastLineAtMs: now - 30_000 },
    lock: { present: true, sinceMs: now - 3600_000 },
  };
  const view = cloudplowView({
    snapshot,
    live,
    rcloneReachable: true,
    transfers,
    quota: { bytesPerAccount: 750 * GiB, label: '750 GiB', unit: 'GiB', windowHours: 24, from: 'default' },
    recentBytesPerSecond: null,
    now,
    generatedAt,
    ...(opts.refusals ? { refusals: opts.refusals } : {}),
  });

  const history = new HistoryStore();
  const hours = opts.historyHours ?? 3;
  for (let t = now - hours * 3600_000; t <= now; t += t < now - 3600_000 ? 60_000 : 5_000) {
    const wave = 50 + 40 * Math.sin(t / 600_000);
    const sample = { bytes: Math.round(wave * 1024 ** 2 * 5), errors: t % 600_000 < 5_000 ? 1 : 0, completed: 1, inFlight: 2 };
    history.record('total', t, sample);
    history.record('instance:default', t, sample);
  }
  history.addLogCounts('total', now - 1800_000, { saChanges: 1, refusals: 2 }, now);
  const summary = summarize(history.range('90d', now, generatedAt), now, generatedAt);
  const sources = [
    { id: 'rclone:default', kind: 'rclone', name: 'default', target: 'http://127.0.0.1:7949', state: 'ok' as const, since: generatedAt, lastOkAt: generatedAt, lastCheckedAt: generatedAt, latencyMs: 3, lastError: null, hint: null, version: 'v1.60.1' },
    { id: 'cloudplow:log', kind: 'cloudplow', name: 'cloudplow.log', target: '/opt/cloudplow/cloudplow.log', state: 'error' as const, since: generatedAt, lastOkAt: null, lastCheckedAt: generatedAt, latencyMs: null, lastError: { at: generatedAt, message: `cannot read <b>${EVIL_NAME}</b>` }, hint: 'Check the file’s permissions.' },
  ];
  const health: Health = { schemaVersion: 1, generatedAt, state: 'degraded', sidecar: { version: '0.1.0', startedAt: new Date(now - 7200_000).toISOString() }, sources };
  const config = effectiveConfig(
    {
      configFile: null,
      cloudplow: { path: '/opt/cloudplow/config.json', found: true, from: 'discovered' },
      cloudplowSettings: null,
      cloudplowProblem: null,
      output: './output',
      stateDir: './state',
      host: '127.0.0.1',
      port: 47949,
      intervalSeconds: 2,
      transfersLimit: 1000,
      saQuota: { bytesPerAccount: 750 * GiB, label: '750 GiB', unit: 'GiB', windowHours: 24, from: 'default' },
      logLines: 500,
      cloudplowPaths: {},
      rclone: [{ name: 'default', url: 'http://127.0.0.1:7949', user: null, pass: null, credentialsFrom: null }],
    } satisfies ResolvedConfig,
    generatedAt,
  );
  return {
    health,
    // As the sidecar publishes it: with the rate the session's pool drains at.
    live: { ...live, poolRate: view.poolRate },
    transfers: { schemaVersion: 1, generatedAt, limit: 1000, count: transfers.length, failed: transfers.filter((t) => !t.ok).length, transfers },
    accounts: view.accounts,
    session: view.session,
    distribution: view.distribution,
    logs: view.logs,
    events: sampleEvents(now, generatedAt, { events, lines, view, live, transfers, health }),
    config,
    ...Object.fromEntries(HISTORY_RANGES.map((r) => [`history-${r}`, history.range(r, now, generatedAt)])),
    summary,
    badges: makeBadges({ live, sources, accounts: view.accounts, summary, generatedAt }).list,
  };
}

/** One block of learned_sizes_cache.json in the fork's sectioned layout. */
function learnedBlock(updatedMs: number, files: number): Record<string, unknown> {
  const counts = [0.25, 0.25, 0.35, 0.12, 0.03].map((f) => Math.round(f * files));
  const sizes = [50 * 1024 ** 2, 500 * 1024 ** 2, 4 * GiB, 20 * GiB, 60 * GiB];
  const labels = ['0-100MB', '100MB-1GB', '1GB-10GB', '10GB-50GB', '50GB+'];
  return {
    max_file_size: 80 * GiB,
    percentiles: { p50: 2 * GiB, p75: 4 * GiB, p90: 12 * GiB, p95: 20 * GiB, p99: 60 * GiB },
    size_buckets: Object.fromEntries(labels.map((l, i) => [l, { count: counts[i], total_bytes: counts[i]! * sizes[i]! }])),
    statistics: { total_files: files, total_bytes: counts.reduce((n, c, i) => n + c * sizes[i]!, 0), mean: 4 * GiB, std_dev: 9 * GiB },
    metadata: { last_updated: updatedMs / 1000, sample_count: files },
  };
}

/** Writes the data files, the manifest and the schemas into an output folder, each file renamed into place. */
export async function writeSampleOutput(
  outputDir: string,
  data: Record<string, unknown>,
  opts: { heartbeatSeconds?: number; now?: number; intervals?: Partial<Manifest['intervals']> } = {},
): Promise<void> {
  const now = new Date(opts.now ?? Date.now()).toISOString();
  mkdirSync(path.join(outputDir, 'data'), { recursive: true });
  const withBeat = { heartbeat: buildHeartbeat(now, opts.heartbeatSeconds ?? 30), ...data };
  const manifest = buildManifest({ now, heartbeatSeconds: opts.heartbeatSeconds, intervals: opts.intervals, changed: Object.fromEntries(Object.keys(withBeat).map((name) => [name, now])) });
  for (const [name, value] of [...Object.entries(withBeat), ['index', manifest] as const]) {
    const file = path.join(outputDir, dataPath(name));
    writeFileSync(`${file}.tmp`, JSON.stringify(value));
    renameSync(`${file}.tmp`, file);
  }
  await writeSchemas(outputDir);
}

/**
 * events.json as the sidecar derives it from the sample's own views: its start, the run in
 * the log (with the 403 line, whose evidence names a file), the banned SA, the bad log source.
 */
function sampleEvents(
  now: number,
  generatedAt: string,
  s: { events: LogEvent[]; lines: LogLine[]; view: ReturnType<typeof cloudplowView>; live: Live; transfers: Transfer[]; health: Health },
): Events {
  const run: LogEvent[] = [{ ...s.events[0]!, uploader: null }, ...s.events.slice(1), { kind: 'trigger_hit', time: s.lines[4]!.time, uploader: null, account: null, detail: null, until: null, message: s.lines[4]!.message }];
  const timeline = new EventLog();
  const views = { now, logEvents: [], accounts: s.view.accounts, session: s.view.session.session, live: s.live, transfers: s.transfers, sources: s.health.sources };
  timeline.add([sidecarEvent('sidecar_started', s.health.sidecar.startedAt, '0.1.0'), ...timelineFromLog(run), ...new EventDerivation().derive(views)], now);
  return timeline.toFile(generatedAt);
}
