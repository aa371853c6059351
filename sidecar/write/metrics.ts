import type { Accounts, Health, Live } from '../contract/index.js';
import { poolLastsSeconds, poolRateFor } from '../format/poolForecast.js';
import type { Totals } from '../state/history.js';
import { PromText, type Sample } from './promText.js';

export interface MetricsInput {
  live: Live;
  health: Health;
  accounts: Accounts;
  totals: ReadonlyMap<string, Totals>;
  nowMs: number;
}

const STATES = ['ok', 'idle', 'unreachable', 'auth_failed', 'auth_required', 'error', 'missing'] as const;

/** metrics.prom for node_exporter's textfile collector: rendered whole on each write, so no stale label set lingers. */
export function renderMetrics(input: MetricsInput): string {
  return renderRunMetrics(input).text + renderAccountMetrics(input.accounts);
}

/**
 * Everything but the per-account series: small, and rendered on every write. `stable` is
 * the text without the timestamps and latencies, which move on every render.
 */
export function renderRunMetrics(input: MetricsInput): { text: string; stable: string } {
  const text = new PromText();
  const perInstance = (value: (i: Live['instances'][number]) => number | null): Sample[] =>
    input.live.instances.flatMap((i) => {
      const v = value(i);
      return v === null ? [] : [[{ instance: i.name }, v] as const];
    });
  text
    .add('plowboard_upload_speed_bytes_per_second', 'gauge', 'Current upload throughput.', perInstance((i) => i.speed))
    .add('plowboard_transfers_in_flight', 'gauge', 'Transfers rclone has in flight now.', perInstance((i) => i.inFlight))
    .add('plowboard_rclone_run_bytes', 'gauge', "Bytes rclone's current run has moved (resets when rclone restarts).", perInstance((i) => i.bytes))
    .add('plowboard_rclone_run_total_bytes', 'gauge', "Bytes rclone's current run has queued in total.", perInstance((i) => i.totalBytes))
    .add('plowboard_rclone_run_errors', 'gauge', "Errors rclone's current run has counted.", perInstance((i) => i.errors))
    .add('plowboard_rclone_eta_seconds', 'gauge', 'rclone’s estimate of the time left; absent when unknown.', perInstance((i) => i.eta));

  const totals = [...input.totals];
  text
    .add('plowboard_uploaded_bytes_total', 'counter', 'Bytes uploaded since plowboard first ran here, kept across restarts.', totals.map(([series, t]) => [{ series }, t.bytes] as const))
    .add(
      'plowboard_transfers_completed_total',
      'counter',
      'Transfers finished, by result, since plowboard first ran here.',
      totals.flatMap(([series, t]) => [[{ series, result: 'ok' }, t.completed] as const, [{ series, result: 'failed' }, t.failed] as const]),
    );

  const pool = input.accounts.pool;
  const one = (value: number): Sample[] => [[null, value]];
  text
    .add('plowboard_sa_quota_bytes', 'gauge', 'The daily quota of one service account.', one(input.accounts.quota.bytesPerAccount))
    .add('plowboard_sa_pool_capacity_left_bytes', 'gauge', 'Bytes the usable service accounts can still upload in their windows.', one(pool.capacityLeftBytes))
    .add('plowboard_sa_pool_usable_accounts', 'gauge', 'Service accounts usable now.', one(pool.usableNow))
    .add('plowboard_sa_pool_accounts', 'gauge', 'Service accounts known.', one(pool.accounts))
    .add('plowboard_sa_pool_with_quota_accounts', 'gauge', 'Service accounts with quota left by the arithmetic, not banned.', one(pool.withQuota))
    .add('plowboard_sa_pool_unrefused_accounts', 'gauge', 'Service accounts with quota left and no refusal by Google (nor ban) in the last 24 h: really usable.', one(pool.usable));
  const lasts = poolLastsSeconds(pool, poolRateFor(input.live, null));
  if (lasts !== null) text.add('plowboard_sa_pool_lasts_seconds', 'gauge', 'How long the pool lasts at the current throughput.', one(lasts));

  const sources = input.health.sources;
  text
    .add(
      'plowboard_source_state',
      'gauge',
      'The state of each source: 1 for its current state, 0 for the others.',
      sources.flatMap((s) => STATES.map((st) => [{ source: s.id, kind: s.kind, state: st }, s.state === st ? 1 : 0] as const)),
    )
    .add('plowboard_source_latency_seconds', 'gauge', 'How long the last successful read of each source took.', sources.flatMap((s) => (s.latencyMs === null ? [] : [[{ source: s.id, kind: s.kind }, s.latencyMs / 1000] as const])), {
      volatile: true,
    })
    .add('plowboard_source_last_ok_timestamp_seconds', 'gauge', 'When each source was last read fine.', sources.flatMap((s) => (s.lastOkAt ? [[{ source: s.id, kind: s.kind }, Date.parse(s.lastOkAt) / 1000] as const] : [])), {
      volatile: true,
    })
    .add('plowboard_data_updated_timestamp_seconds', 'gauge', 'When plowboard last wrote this file.', one(Math.floor(input.nowMs / 1000)), { volatile: true });
  return { text: text.toString(), stable: text.stable() };
}

/**
 * The per-account series: the bulk of the file at a thousand SAs, so the caller renders
 * them only when the accounts change. Each SA gets one status series (its current one):
 * a 0/1 series per status would quadruple the file for figures the per-uploader counts
 * already give.
 */
export function renderAccountMetrics(accounts: Accounts): string {
  const perStatus: Sample[] = [];
  const used: Sample[] = [];
  const saState: Sample[] = [];
  const resetAt: Sample[] = [];
  const refusals: Sample[] = [];
  const lastRefused: Sample[] = [];
  for (const u of accounts.uploaders) {
    const counts = { active: 0, available: 0, exhausted: 0, banned: 0 };
    for (const a of u.accounts) {
      const labels = { uploader: u.name, account: a.name };
      counts[a.status]++;
      used.push([labels, a.usedBytes]);
      saState.push([{ ...labels, status: a.status }, 1]);
      if (a.resetAt) resetAt.push([labels, Date.parse(a.resetAt) / 1000]);
      // Only SAs refused in 30 days: six series for each of a thousand quiet SAs would say nothing.
      if (a.refusals.lastAt) {
        lastRefused.push([labels, Date.parse(a.refusals.lastAt) / 1000]);
        for (const [window, c] of [['24h', a.refusals.last24h], ['7d', a.refusals.last7d], ['30d', a.refusals.last30d]] as const) {
          refusals.push([{ ...labels, window, kind: 'rate_limit' }, c.rateLimits], [{ ...labels, window, kind: 'ban' }, c.bans]);
        }
      }
    }
    for (const [status, n] of Object.entries(counts)) perStatus.push([{ uploader: u.name, status }, n]);
  }
  return new PromText()
    .add('plowboard_sa_accounts', 'gauge', 'Service accounts of each uploader by status.', perStatus)
    .add('plowboard_sa_used_bytes', 'gauge', 'Bytes each service account has uploaded in its current quota window.', used)
    .add('plowboard_sa_status', 'gauge', 'The current status of each service account (always 1; the status is the label).', saState)
    .add('plowboard_sa_reset_timestamp_seconds', 'gauge', 'When the quota window of each service account resets.', resetAt)
    .add(
      'plowboard_sa_refusals',
      'gauge',
      'Refusals seen in cloudplow.log per service account: 403 rate-limit answers and bans by cloudplow, in the last 24h, 7d or 30d. Only accounts with any.',
      refusals,
    )
    .add('plowboard_sa_last_refusal_timestamp_seconds', 'gauge', 'When each service account was last refused (403 or ban), within 30 days.', lastRefused)
    .toString();
}
