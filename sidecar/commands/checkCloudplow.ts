import { existsSync } from 'node:fs';
import { cloudplowLayout } from '../config/cloudplowLayout.js';
import type { ResolvedConfig } from '../config/schema.js';
import type { SourceHealth } from '../contract/index.js';
import { CloudplowSource } from '../sources/cloudplow.js';

/** Every line the log holds is counted, not only the last screenful logs.json keeps. */
const ALL_LINES = 1_000_000;

interface Row {
  label: string;
  path: string;
  foundBy: string;
  found: boolean;
  /** null when read; else why not, in one line. */
  unread: string | null;
  count?: string;
}

/**
 * One row per file plowboard looks for in a cloudplow installation: where, how that place
 * was found, whether it is there and could be read, and what it holds in numbers. The
 * same readers as the sidecar's do the reading; config.json's content is never printed
 * (it holds tokens), only counts.
 */
export async function checkCloudplowFiles(config: ResolvedConfig, out: (line: string) => void, now = Date.now()): Promise<void> {
  const layout = cloudplowLayout(config);
  if (!layout) return;
  let transferRows = 0;
  const source = new CloudplowSource(layout, {
    logLines: ALL_LINES,
    onChange: () => {},
    onTransfers: (rows) => (transferRows += rows.length),
  });
  await source.readAll();
  await source.stop();
  const snap = source.snapshot();
  const health = new Map(source.statuses.map((s) => [s.id, s.health()]));
  const fromHealth = (id: string, label: string, count?: (h: SourceHealth) => string | undefined): Row => {
    const h = health.get(id)!;
    const found = h.state !== 'missing';
    return {
      label,
      path: h.target,
      foundBy: h.foundBy ?? '',
      found,
      unread: h.state === 'ok' ? null : found ? (h.lastError?.message ?? h.state) : (h.hint ?? 'not there'),
      ...(h.state === 'ok' && count ? { count: count(h) } : {}),
    };
  };
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

  const rows: Row[] = [];
  rows.push({
    label: 'config.json',
    path: config.cloudplow.path ?? '(none)',
    foundBy: layout.foundBy.config,
    found: config.cloudplow.found,
    unread: config.cloudplow.found ? config.cloudplowProblem : 'no config.json found',
    ...(config.cloudplow.found && !config.cloudplowProblem ? { count: plural(layout.uploaders.length, 'uploader') } : {}),
  });
  rows.push(fromHealth('cloudplow:log', 'cloudplow.log', () => plural(snap.log.lines.length, 'line')));
  rows.push(
    fromHealth('cloudplow:cache.db', 'cache.db', () => {
      const saBans = Object.values(snap.saBans).flatMap((byPath) => Object.values(byPath ?? {})).filter((until): until is number => until !== null);
      const uploaderBans = Object.values(snap.uploaderBans).filter((until): until is number => until !== null);
      const inForce = (list: number[]) => list.filter((until) => until * 1000 > now).length;
      return `${plural(saBans.length, 'SA ban')} (${inForce(saBans)} in force), ${plural(uploaderBans.length, 'uploader ban')} (${inForce(uploaderBans)} in force)`;
    }),
  );
  const locksThere = existsSync(layout.locksDir);
  rows.push({
    label: 'locks/',
    path: layout.locksDir,
    foundBy: layout.foundBy.locksDir,
    found: locksThere,
    unread: locksThere ? null : 'not there: cloudplow makes it when it starts, and its systemd unit removes it on stop',
    ...(locksThere ? { count: snap.lock?.present ? `upload.lock present (since ${new Date(snap.lock.sinceMs!).toISOString()})` : 'no upload lock' } : {}),
  });
  const accounts = health.get('cloudplow:service-accounts')!;
  for (const u of snap.uploaders) {
    if (!u.serviceAccountPath) {
      rows.push({ label: `SA folder ${u.name}`, path: '(none)', foundBy: `config.json uploader.${u.name}`, found: false, unread: 'no service_account_path: this uploader uploads without service accounts' });
      continue;
    }
    const problem = accounts.lastError?.message.split('; ').find((p) => p.includes(`uploader ${u.name}:`)) ?? null;
    const listed = accounts.state === 'ok' || !problem;
    rows.push({
      label: `SA folder ${u.name}`,
      path: u.serviceAccountPath,
      foundBy: `config.json uploader.${u.name}.service_account_path`,
      found: existsSync(u.serviceAccountPath),
      unread: listed ? null : problem,
      ...(listed ? { count: plural(u.serviceAccounts.length, 'SA .json file') } : {}),
    });
  }
  const entries = (v: unknown) => (v && typeof v === 'object' ? Object.values(v as Record<string, unknown>) : []);
  rows.push(fromHealth('cloudplow:sa_quota_cache.json', 'sa_quota_cache.json', () => plural(entries(snap.quotaCache).flatMap((byPath) => entries(byPath)).length, 'SA', 'SAs') + ' tracked'));
  rows.push(
    fromHealth('cloudplow:dashboard_session_state.json', 'dashboard_session_state.json', () =>
      (snap.sessionState as { active?: unknown } | null)?.active === true ? 'says active' : 'says not active',
    ),
  );
  rows.push(fromHealth('cloudplow:learned_sizes_cache.json', 'learned_sizes_cache.json', () => plural(entries(snap.learnedSizes).length, 'entry', 'entries')));
  rows.push(fromHealth('cloudplow:transfer-stats', 'transfer-stats.jsonl', () => plural(transferRows, 'transfer')));

  const width = Math.max(...rows.map((r) => r.label.length));
  for (const r of rows) {
    const state = !r.found ? 'NOT FOUND' : r.unread ? 'found, NOT READ' : 'found, read';
    out(`  ${r.label.padEnd(width)}  ${state.padEnd(15)}  ${r.path}${r.count ? `  ${r.count}` : ''}`);
    out(`  ${''.padEnd(width)}  ${''.padEnd(15)}  from: ${r.foundBy}`);
    if (r.unread) out(`  ${''.padEnd(width)}  ${''.padEnd(15)}  why: ${r.unread}`);
  }
}
