import type { Health, InFlightTransfer, Live, LiveInstance, Transfers } from '../../sidecar/contract/index.js';
import type { WatchedPage } from './browser.js';
import { expectValidOutput } from './schemas.js';
import type { SitePage } from './sitePage.js';

/**
 * The overview page's own data (three rclone instances in three states, a hostile file name,
 * a rate-limit failure) for the overview tests, and the page started on it: each test file
 * opens its own, so none depends on what another did to the page.
 */
export const EVIL = '<img src=x onerror=alert(1)>.mkv';
export const FILM = 'Movies/Big.Film.2023.2160p.mkv';
export const RATE_LIMIT = 'googleapi: Error 403: User rate limit exceeded., userRateLimitExceeded';
export const IDLE_WORDS = 'rclone is not running — cloudplow starts it only during uploads.';
export const MiB = 1024 * 1024;
export const ZONE = 'Asia/Kolkata';

const started = Date.now();
export const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

export function health(out: string): Health {
  const base = { since: iso(60_000), lastOkAt: iso(1000), lastCheckedAt: iso(500), latencyMs: 4, lastError: null, hint: null };
  return {
    schemaVersion: 1,
    generatedAt: iso(0),
    state: 'degraded',
    sidecar: { version: '0.1.0', startedAt: new Date(started).toISOString() },
    sources: [
      { ...base, id: 'rclone:default', kind: 'rclone', name: 'default', target: 'http://127.0.0.1:7949', state: 'ok', version: 'v1.68.2' },
      { ...base, id: 'rclone:backup', kind: 'rclone', name: 'backup', target: 'http://127.0.0.1:7950', state: 'idle', lastOkAt: null, latencyMs: null, hint: 'Nothing listens on port 7950: normal between uploads.' },
      {
        ...base,
        id: 'rclone:nas',
        kind: 'rclone',
        name: 'nas',
        target: 'http://nas.lan:5572',
        state: 'auth_failed',
        lastOkAt: null,
        lastError: { at: iso(2000), message: 'HTTP 401 Unauthorized' },
        hint: 'Set PLOWBOARD_RCLONE_USER and PLOWBOARD_RCLONE_PASS to the --rc-user and --rc-pass rclone runs with.',
      },
      { ...base, id: 'cloudplow-config:config', kind: 'cloudplow-config', name: 'cloudplow config', target: '(none found)', state: 'missing', lastOkAt: null, hint: 'Point plowboard at cloudplow with --cloudplow-config.' },
      { ...base, id: 'output:data', kind: 'output', name: 'output folder', target: out, state: 'ok' },
    ],
  };
}

function inFlight(name: string, size: number, percentage: number, speed: number): InFlightTransfer {
  const bytes = Math.round((size * percentage) / 100);
  return { instance: 'default', name, size, bytes, percentage, speed, speedAvg: speed, eta: (size - bytes) / speed, group: 'job/1' };
}

export function live(filmPercent: number, speedMiB: number): Live {
  const transferring = [inFlight(FILM, 8000 * MiB, filmPercent, (speedMiB - 20) * MiB), inFlight(EVIL, 700 * MiB, 10, 20 * MiB)];
  const counters = {
    speed: speedMiB * MiB,
    bytes: transferring.reduce((s, t) => s + t.bytes, 0),
    totalBytes: 8700 * MiB,
    eta: 120,
    transfers: 3,
    totalTransfers: 5,
    checks: 5,
    totalChecks: 5,
    errors: 1,
    inFlight: transferring.length,
    queued: 0,
    queuedExact: true,
    moved: 3,
    removedFromSource: 3,
  };
  const idle: LiveInstance = {
    ...counters,
    name: 'backup',
    state: 'idle',
    lastSeenAt: null,
    phase: 'idle',
    speed: 0,
    bytes: 0,
    totalBytes: 0,
    eta: null,
    transfers: 0,
    totalTransfers: 0,
    checks: 0,
    totalChecks: 0,
    errors: 0,
    inFlight: 0,
    speedAvg: 0,
    lastError: null,
    fatalError: false,
    retryError: false,
    transferring: [],
    checking: [],
  };
  const now = Date.now();
  const points = [
    // Older than the window: its value is where the line opens.
    { t: new Date(now - 900_000).toISOString(), instance: 'default', bytesPerSecond: 10 * MiB },
    { t: new Date(now - 400_000).toISOString(), instance: 'default', bytesPerSecond: 60 * MiB },
    { t: new Date(now - 120_000).toISOString(), instance: 'default', bytesPerSecond: 85 * MiB },
    { t: new Date(now - 5_000).toISOString(), instance: 'default', bytesPerSecond: speedMiB * MiB },
    { t: new Date(now - 600_000).toISOString(), instance: 'backup', bytesPerSecond: 0 },
  ];
  return {
    schemaVersion: 1,
    generatedAt: iso(0),
    total: { ...counters, activeInstances: 1 },
    instances: [{ ...counters, name: 'default', state: 'ok', lastSeenAt: iso(0), phase: 'transferring', speedAvg: 80 * MiB, lastError: RATE_LIMIT, fatalError: false, retryError: true, transferring, checking: [] }, idle],
    throughput: { windowSeconds: 600, points },
    // The session's 15-minute average: steadier than the speed of the moment.
    poolRate: { uploader: 'google', bytesPerSecond: 80 * MiB, windowSeconds: 900 },
  };
}

export const finishedAt = iso(90_000);

export function transfers(): Transfers {
  const common = { instance: 'default', checked: false, group: 'job/1', uploader: 'google', serviceAccount: null, source: 'rclone' as const };
  return {
    schemaVersion: 1,
    generatedAt: iso(0),
    limit: 500,
    count: 3,
    failed: 1,
    transfers: [
      { ...common, id: 'a', name: 'TV/Show.S01E02.mkv', size: 1200 * MiB, bytes: 1200 * MiB, ok: true, error: null, startedAt: iso(100_000), completedAt: finishedAt, durationSeconds: 10, avgSpeed: 120 * MiB },
      { ...common, id: 'b', name: 'TV/Show.S01E01.mkv', size: 900 * MiB, bytes: 12 * MiB, ok: false, error: RATE_LIMIT, startedAt: iso(200_000), completedAt: iso(190_000), durationSeconds: 10, avgSpeed: 1.2 * MiB },
      { ...common, id: 'c', name: 'Music/album.flac', size: 40 * MiB, bytes: 40 * MiB, ok: true, error: null, startedAt: iso(300_000), completedAt: iso(299_000), durationSeconds: 1, avgSpeed: 40 * MiB },
    ],
  };
}

/**
 * A SitePage on the overview's data — health, live (the film at 42.5 %, 91.3 MiB/s, unless
 * given) and transfers, checked against their schemas — and the overview open on it.
 */
export async function startOverview(site: SitePage, first: Live = live(42.5, 91.3)): Promise<WatchedPage> {
  // Only these three written: files this sidecar never wrote have no changedAt, and the page must not ask for them.
  await site.start((out) => ({ health: health(out), live: first, transfers: transfers() }), {
    timezoneId: ZONE,
    locale: 'en-GB',
    site: { intervalSeconds: 2, instances: ['default', 'backup', 'nas'] },
    heartbeatSeconds: 30,
    intervals: { activeSeconds: 0.5, idleSeconds: 0.5, maxBackoffSeconds: 15 },
  });
  expectValidOutput(site.out, ['index', 'health', 'live', 'transfers']);
  return site.open('');
}
