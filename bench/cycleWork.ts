import { gzipSync } from 'node:zlib';
import { HISTORY_RANGES, type Health, type Live, type Transfer } from '../sidecar/contract/index.js';
import type { CloudplowSnapshot } from '../sidecar/sources/cloudplowSnapshot.js';
import { cloudplowView } from '../sidecar/state/cloudplowView.js';
import { HistoryStore } from '../sidecar/state/history.js';
import { accountsCsv, transfersCsv } from '../sidecar/write/csv.js';
import { renderMetrics } from '../sidecar/write/metrics.js';
import { summary } from './procStats.js';

const GiB = 1024 ** 3;

/**
 * One publish cycle's work, in process, at a given scale: the cloudplow view (accounts,
 * session, distribution, logs), the three history ranges, metrics and CSVs, each file
 * serialized. Returns the time per cycle and each file's size.
 */
export async function cycleWork(opts: { accounts: number; inFlight: number; days: number; transfers: number; repeats: number }) {
  const now = Date.now();
  const saDir = '/opt/sa';
  const names = Array.from({ length: opts.accounts }, (_, i) => `${saDir}/${i + 1}.json`);
  const snapshot: CloudplowSnapshot = {
    uploaders: [{ name: 'google', remote: 'google:', uploadFolder: '/mnt', serviceAccountPath: saDir, serviceAccounts: names }],
    quotaCache: { google: Object.fromEntries(names.map((n, i) => [n, { bytes: (i % 750) * GiB, reset_time: now / 1000 + 3600, first_upload: now / 1000 - 3600 }])) },
    sessionState: { active: true, uploader: 'google', session_start_time: now / 1000 - 3600, current_sa: names[0], sa_index: 0, total_sas: opts.accounts },
    learnedSizes: null,
    saBans: { google: Object.fromEntries(names.slice(0, 50).map((n) => [n, now / 1000 + 600])) },
    uploaderBans: {},
    log: {
      file: '/x',
      lines: Array.from({ length: 500 }, (_, i) => ({ time: new Date(now - i * 1000).toISOString(), level: 'INFO', logger: 'process', func: 'execute', message: `2026/11/23 10:00:00 INFO  : Movies/file${i}.mkv: Copied (new)` })),
      events: [],
      lastLineAtMs: now,
    },
    lock: { present: true, sinceMs: now - 3600_000 },
  };
  const transferring = Array.from({ length: opts.inFlight }, (_, i) => ({ instance: 'default', name: `Movies/Film ${i}/Film.${i}.2160p.mkv`, size: 4 * GiB, bytes: GiB, percentage: 25, speed: 1e6, speedAvg: 1e6, eta: 3000, group: 'job/1' }));
  const counters = { speed: 5e8, bytes: 1e12, totalBytes: 2e12, eta: 3600, transfers: 100, totalTransfers: 600, checks: 0, totalChecks: 0, errors: 0, inFlight: opts.inFlight, queued: 0, queuedExact: true, moved: 100, removedFromSource: 100 };
  const live: Live = {
    schemaVersion: 1,
    generatedAt: new Date(now).toISOString(),
    total: { ...counters, activeInstances: 1 },
    instances: [{ name: 'default', state: 'ok', lastSeenAt: null, ...counters, phase: 'transferring', speedAvg: 5e8, lastError: null, fatalError: false, retryError: false, transferring, checking: [] }],
    throughput: { windowSeconds: 600, points: Array.from({ length: 300 }, (_, i) => ({ t: new Date(now - i * 2000).toISOString(), instance: 'default', bytesPerSecond: 5e8 })) },
  };
  const transfers: Transfer[] = Array.from({ length: opts.transfers }, (_, i) => ({
    id: `t${i}`, instance: 'default', name: `Movies/Film ${i}/Film.${i}.2160p.mkv`, size: GiB, bytes: GiB, checked: false, ok: true, error: null,
    startedAt: new Date(now - i * 60_000 - 30_000).toISOString(), completedAt: new Date(now - i * 60_000).toISOString(), durationSeconds: 30, avgSpeed: 3e7, group: null, uploader: 'google', serviceAccount: '1.json', source: 'rclone',
  }));
  // 90 days in 15 min steps, 48 h in 1 min steps, the last hour every 5 s: every bucket of every tier filled.
  const history = new HistoryStore();
  const sample = { bytes: 5e9, inFlight: 8, errors: 0, completed: 2 };
  for (let t = now - opts.days * 86400_000; t < now - 48 * 3600_000; t += 900_000) for (const k of ['total', 'instance:default', 'uploader:google']) history.record(k, t, sample);
  for (let t = now - 48 * 3600_000; t < now - 3600_000; t += 60_000) for (const k of ['total', 'instance:default', 'uploader:google']) history.record(k, t, sample);
  for (let t = now - 3600_000; t <= now; t += 5000) for (const k of ['total', 'instance:default', 'uploader:google']) history.record(k, t, sample);
  for (let d = 0; d < opts.days; d++) for (let s = 0; s < 5; s++) history.record(`account:google/${(d * 5 + s) % opts.accounts}.json`, now - d * 86400_000, sample, { dailyOnly: true });
  const health: Health = { schemaVersion: 1, generatedAt: new Date(now).toISOString(), state: 'ok', sidecar: { version: 'x', startedAt: new Date(now).toISOString() }, sources: [] };

  const times: number[] = [];
  const parts: Record<string, number[]> = {};
  const timed = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
    const t = performance.now();
    const v = await f();
    (parts[name] ??= []).push(performance.now() - t);
    return v;
  };
  let files: Record<string, string> = {};
  for (let r = 0; r < opts.repeats; r++) {
    const t0 = performance.now();
    const generatedAt = new Date().toISOString();
    const view = await timed('cloudplow view', () =>
      cloudplowView({ snapshot, live, rcloneReachable: true, transfers, quota: { bytesPerAccount: 750 * GiB, label: '750 GiB', unit: 'GiB', windowHours: 24, from: 'x' }, recentBytesPerSecond: 5e8, now: Date.now(), generatedAt }),
    );
    files = {
      ...(await timed('JSON of live, accounts, session, logs, transfers', () => ({
        'live.json': JSON.stringify(live),
        'accounts.json': JSON.stringify(view.accounts),
        'session.json': JSON.stringify(view.session),
        'logs.json': JSON.stringify(view.logs),
        'transfers.json': JSON.stringify({ transfers }),
      }))),
      'transfers.csv': await timed('transfers.csv', () => transfersCsv(transfers)),
      'accounts.csv': await timed('accounts.csv', () => accountsCsv(view.accounts)),
      ...(await timed('history ranges', () => Object.fromEntries(HISTORY_RANGES.map((range) => [`history-${range}.json`, JSON.stringify(history.range(range, Date.now(), generatedAt))])))),
      'metrics.prom': await timed('metrics.prom', () => renderMetrics({ live, health, accounts: view.accounts, totals: history.totals(), nowMs: Date.now() })),
    };
    // What every publish does; the CSVs are made only when their rows change, metrics once per 5 s sample.
    times.push(['cloudplow view', 'JSON of live, accounts, session, logs, transfers', 'history ranges'].reduce((n, k) => n + parts[k]!.at(-1)!, 0));
    void t0;
  }
  const sizes = Object.fromEntries(Object.entries(files).map(([name, text]) => [name, { bytes: Buffer.byteLength(text), gzipped: gzipSync(text).length }]));
  return { cycleMs: summary(times), partsMs: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, summary(v).median])), sizes };
}
