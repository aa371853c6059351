import { Counter, Gauge, Registry } from 'prom-client';
import type { Accounts, Health, Live } from '../contract/index.js';
import { poolLastsSeconds, poolRateFor } from '../format/poolForecast.js';
import type { Totals } from '../state/history.js';

export interface MetricsInput {
  live: Live;
  health: Health;
  accounts: Accounts;
  totals: ReadonlyMap<string, Totals>;
  nowMs: number;
}

const STATES = ['ok', 'idle', 'unreachable', 'auth_failed', 'auth_required', 'error', 'missing'] as const;

function registrar() {
  const registry = new Registry();
  return {
    registry,
    gauge: (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] }),
    counter: (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers: [registry] }),
  };
}

/**
 * metrics.prom for node_exporter's textfile collector. prom-client writes the text format
 * (and escapes label values: file and account names are untrusted text); plowboard only
 * fills in values. A fresh registry per write keeps stale label sets from lingering.
 */
export async function renderMetrics(input: MetricsInput): Promise<string> {
  return (await renderRunMetrics(input)) + (await renderAccountMetrics(input.accounts));
}

/** Everything but the per-account series: small, and rendered on every write. */
export async function renderRunMetrics(input: MetricsInput): Promise<string> {
  const { registry, gauge, counter } = registrar();
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

  const pool = input.accounts.pool;
  gauge('plowboard_sa_quota_bytes', 'The daily quota of one service account.').set(input.accounts.quota.bytesPerAccount);
  gauge('plowboard_sa_pool_capacity_left_bytes', 'Bytes the usable service accounts can still upload in their windows.').set(pool.capacityLeftBytes);
  gauge('plowboard_sa_pool_usable_accounts', 'Service accounts usable now.').set(pool.usableNow);
  gauge('plowboard_sa_pool_accounts', 'Service accounts known.').set(pool.accounts);
  gauge('plowboard_sa_pool_with_quota_accounts', 'Service accounts with quota left by the arithmetic, not banned.').set(pool.withQuota);
  gauge('plowboard_sa_pool_unrefused_accounts', 'Service accounts with quota left and no refusal by Google (nor ban) in the last 24 h: really usable.').set(pool.usable);
  const lasts = poolLastsSeconds(pool, poolRateFor(input.live, null));
  if (lasts !== null) gauge('plowboard_sa_pool_lasts_seconds', 'How long the pool lasts at the current throughput.').set(lasts);

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

/**
 * The per-account series: the bulk of the file at a thousand SAs, so the caller renders
 * them only when the accounts change. Each SA gets one status series (its current one):
 * a 0/1 series per status would quadruple the file for figures the per-uploader counts
 * already give.
 */
export async function renderAccountMetrics(accounts: Accounts): Promise<string> {
  const { registry, gauge } = registrar();
  const perStatus = gauge('plowboard_sa_accounts', 'Service accounts of each uploader by status.', ['uploader', 'status']);
  const used = gauge('plowboard_sa_used_bytes', 'Bytes each service account has uploaded in its current quota window.', ['uploader', 'account']);
  const saState = gauge('plowboard_sa_status', 'The current status of each service account (always 1; the status is the label).', ['uploader', 'account', 'status']);
  const resetAt = gauge('plowboard_sa_reset_timestamp_seconds', 'When the quota window of each service account resets.', ['uploader', 'account']);
  const refusals = gauge('plowboard_sa_refusals', 'Refusals seen in cloudplow.log per service account: 403 rate-limit answers and bans by cloudplow, in the last 24h, 7d or 30d. Only accounts with any.', [
    'uploader',
    'account',
    'window',
    'kind',
  ]);
  const lastRefused = gauge('plowboard_sa_last_refusal_timestamp_seconds', 'When each service account was last refused (403 or ban), within 30 days.', ['uploader', 'account']);
  for (const u of accounts.uploaders) {
    const counts = { active: 0, available: 0, exhausted: 0, banned: 0 };
    for (const a of u.accounts) {
      const labels = { uploader: u.name, account: a.name };
      counts[a.status]++;
      used.set(labels, a.usedBytes);
      saState.set({ ...labels, status: a.status }, 1);
      if (a.resetAt) resetAt.set(labels, Date.parse(a.resetAt) / 1000);
      // Only SAs refused in 30 days: six series for each of a thousand quiet SAs would say nothing.
      if (a.refusals.lastAt) {
        lastRefused.set(labels, Date.parse(a.refusals.lastAt) / 1000);
        for (const [window, c] of [['24h', a.refusals.last24h], ['7d', a.refusals.last7d], ['30d', a.refusals.last30d]] as const) {
          refusals.set({ ...labels, window, kind: 'rate_limit' }, c.rateLimits);
          refusals.set({ ...labels, window, kind: 'ban' }, c.bans);
        }
      }
    }
    for (const [status, n] of Object.entries(counts)) perStatus.set({ uploader: u.name, status }, n);
  }
  return registry.metrics();
}

/** The file without the lines that move on every write, to decide whether it changed. */
export function stableMetrics(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^plowboard_(data_updated_timestamp_seconds|source_latency_seconds|source_last_ok_timestamp_seconds)\b/.test(l))
    .join('\n');
}
