import { Counter, Gauge, Registry } from 'prom-client';
import type { Accounts, Health, Live } from '../contract/index.js';
import type { Totals } from '../state/history.js';

export interface MetricsInput {
  live: Live;
  health: Health;
  accounts: Accounts;
  totals: ReadonlyMap<string, Totals>;
  nowMs: number;
}

const STATES = ['ok', 'idle', 'unreachable', 'auth_failed', 'error', 'missing'] as const;

/**
 * metrics.prom for node_exporter's textfile collector. prom-client writes the text format
 * (and escapes label values: file and account names are untrusted text); plowboard only
 * fills in values. A fresh registry per write keeps stale label sets from lingering.
 */
export async function renderMetrics(input: MetricsInput): Promise<string> {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  const counter = (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers: [registry] });

  const speed = gauge('plowboard_upload_speed_bytes_per_second', 'Current upload throughput.', ['instance']);
  const inFlight = gauge('plowboard_transfers_in_flight', 'Transfers rclone has in flight now.', ['instance']);
  const runBytes = gauge('plowboard_rclone_run_bytes', "Bytes rclone's current run has moved (resets when rclone restarts).", ['instance']);
  const runTotal = gauge('plowboard_rclone_run_total_bytes', "Bytes rclone's current run has queued in total.", ['instance']);
  const runErrors = gauge('plowboard_rclone_run_errors', "Errors rclone's current run has counted.", ['instance']);
  const eta = gauge('plowboard_rclone_eta_seconds', 'rclone’s estimate of the time left; absent when unknown.', ['instance']);
  for (const i of input.live.instances) {
    speed.set({ instance: i.name }, i.speed);
    inFlight.set({ instance: i.name }, i.inFlight);
    runBytes.set({ instance: i.name }, i.bytes);
    runTotal.set({ instance: i.name }, i.totalBytes);
    runErrors.set({ instance: i.name }, i.errors);
    if (i.eta !== null) eta.set({ instance: i.name }, i.eta);
  }

  const uploaded = counter('plowboard_uploaded_bytes_total', 'Bytes uploaded since plowboard first ran here, kept across restarts.', ['series']);
  const completed = counter('plowboard_transfers_completed_total', 'Transfers finished, by result, since plowboard first ran here.', ['series', 'result']);
  for (const [key, t] of input.totals) {
    uploaded.inc({ series: key }, t.bytes);
    completed.inc({ series: key, result: 'ok' }, t.completed);
    completed.inc({ series: key, result: 'failed' }, t.failed);
  }

  const used = gauge('plowboard_sa_used_bytes', 'Bytes each service account has uploaded in its current quota window.', ['uploader', 'account']);
  const quota = gauge('plowboard_sa_quota_bytes', 'The daily quota of each service account.', ['uploader', 'account']);
  const saState = gauge('plowboard_sa_status', 'Each service account: 1 for its current status, 0 for the others.', ['uploader', 'account', 'status']);
  const resetAt = gauge('plowboard_sa_reset_timestamp_seconds', 'When the quota window of each service account resets.', ['uploader', 'account']);
  for (const u of input.accounts.uploaders) {
    for (const a of u.accounts) {
      const labels = { uploader: u.name, account: a.name };
      used.set(labels, a.usedBytes);
      quota.set(labels, a.quotaBytes);
      for (const st of ['active', 'available', 'exhausted', 'banned'] as const) saState.set({ ...labels, status: st }, a.status === st ? 1 : 0);
      if (a.resetAt) resetAt.set(labels, Date.parse(a.resetAt) / 1000);
    }
  }
  const pool = input.accounts.pool;
  gauge('plowboard_sa_pool_capacity_left_bytes', 'Bytes the usable service accounts can still upload in their windows.').set(pool.capacityLeftBytes);
  gauge('plowboard_sa_pool_usable_accounts', 'Service accounts usable now.').set(pool.usableNow);
  gauge('plowboard_sa_pool_accounts', 'Service accounts known.').set(pool.accounts);
  if (pool.lastsSeconds !== null) gauge('plowboard_sa_pool_lasts_seconds', 'How long the pool lasts at the current throughput.').set(pool.lastsSeconds);

  const state = gauge('plowboard_source_state', 'The state of each source: 1 for its current state, 0 for the others.', ['source', 'kind', 'state']);
  const latency = gauge('plowboard_source_latency_seconds', 'How long the last successful read of each source took.', ['source', 'kind']);
  const lastOk = gauge('plowboard_source_last_ok_timestamp_seconds', 'When each source was last read fine.', ['source', 'kind']);
  for (const s of input.health.sources) {
    for (const st of STATES) state.set({ source: s.id, kind: s.kind, state: st }, s.state === st ? 1 : 0);
    if (s.latencyMs !== null) latency.set({ source: s.id, kind: s.kind }, s.latencyMs / 1000);
    if (s.lastOkAt) lastOk.set({ source: s.id, kind: s.kind }, Date.parse(s.lastOkAt) / 1000);
  }
  gauge('plowboard_data_updated_timestamp_seconds', 'When plowboard last wrote this file.').set(Math.floor(input.nowMs / 1000));
  return registry.metrics();
}

/** The file without the lines that move on every write, to decide whether it changed. */
export function stableMetrics(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^plowboard_(data_updated_timestamp_seconds|source_latency_seconds|source_last_ok_timestamp_seconds)\b/.test(l))
    .join('\n');
}
