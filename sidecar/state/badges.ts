import prettyBytes from 'pretty-bytes';
import { BADGE_NAMES, badgePath, envelope, type Accounts, type BadgeList, type BadgeName, type Live, type ShieldsBadge, type SourceHealth, type Summary } from '../contract/index.js';

/** What a badge's colour stands for; the colour follows from it. */
type Tone = 'active' | 'ok' | 'idle' | 'warning' | 'error' | 'unknown';
const COLOR: Record<Tone, string> = { active: 'brightgreen', ok: 'green', idle: 'lightgrey', warning: 'orange', error: 'red', unknown: 'lightgrey' };
/** shields.io caches an endpoint at least this long anyway; Homepage and Home Assistant poll on their own clock. */
const CACHE_SECONDS = 300;
/** Under this share of the pool's capacity left, the pool badge warns; under the second, it is red. */
const POOL_LOW = 0.25;
const POOL_EMPTY = 0.1;

export interface BadgeInput {
  live: Live;
  sources: readonly SourceHealth[];
  accounts: Accounts;
  summary: Summary;
  generatedAt: string;
}

export interface Badges {
  list: BadgeList;
  /** By data-file name (`badges/state`: data/badges/state.json). */
  files: Array<{ name: string; badge: ShieldsBadge }>;
}

/**
 * With a fraction-digit limit pretty-bytes goes through Intl, whose formatting was the most
 * expensive call of an idle publish; the badges show the same few figures publish after
 * publish, so the last ones are kept.
 */
const sizes = new Map<number, string>();
function size(n: number): string {
  let text = sizes.get(n);
  if (text === undefined) {
    if (sizes.size >= 16) sizes.clear();
    text = prettyBytes(n, { binary: true, maximumFractionDigits: 1, locale: false });
    sizes.set(n, text);
  }
  return text;
}

function badge(label: string, message: string, tone: Tone): ShieldsBadge & { tone: Tone } {
  return { schemaVersion: 1, label, message, color: COLOR[tone], ...(tone === 'error' ? { isError: true } : {}), cacheSeconds: CACHE_SECONDS, tone };
}

/** One word for what the uploads are doing: the state badge's message, which also colours the speed badge. */
export function uploadState(live: Live, sources: readonly SourceHealth[]): { word: string; tone: Tone } {
  const rclone = sources.filter((s) => s.kind === 'rclone');
  const failing = rclone.filter((s) => !['ok', 'idle'].includes(s.state));
  if (rclone.length && failing.length === rclone.length) {
    const auth = failing.some((s) => s.state === 'auth_failed' || s.state === 'auth_required');
    return { word: auth ? 'auth failed' : failing.every((s) => s.state === 'error') ? 'error' : 'unreachable', tone: 'error' };
  }
  const inFlight = live.instances.flatMap((i) => i.transferring);
  if (inFlight.length && inFlight.every((t) => t.stalledSince)) return { word: 'stalled', tone: 'warning' };
  if (live.total.inFlight > 0) return { word: 'uploading', tone: 'active' };
  if (live.instances.some((i) => i.phase === 'checking' || i.phase === 'scanning')) return { word: 'checking', tone: 'active' };
  return { word: 'idle', tone: 'idle' };
}

/** The badges as they read now. Messages are figures and fixed words only: no file or account names. */
export function makeBadges(input: BadgeInput): Badges {
  const { live, sources, accounts, summary } = input;
  const state = uploadState(live, sources);
  const pool = accounts.pool;
  const capacity = accounts.quota.bytesPerAccount * pool.accounts;
  const made: Record<BadgeName, ShieldsBadge & { tone: Tone }> = {
    state: badge('upload', state.word, state.tone),
    speed:
      state.tone === 'error'
        ? badge('speed', 'unknown', 'unknown')
        : // Coloured by what the uploads are doing, not by the poll's speed, which reads 0 now and then mid-upload: a tone flickering with it would rewrite every badge at once each time.
          badge('speed', `${size(live.total.speed)}/s`, state.word === 'stalled' ? 'warning' : state.tone),
    'sas-usable': pool.accounts
      ? badge('SAs usable', `${pool.usable} of ${pool.accounts}`, pool.usable === 0 ? 'error' : pool.usable / pool.accounts < POOL_EMPTY ? 'warning' : 'ok')
      : badge('SAs usable', 'none known', 'unknown'),
    'uploaded-today': badge('uploaded today', size(summary.periods.today.bytes), summary.periods.today.bytes > 0 ? 'ok' : 'idle'),
    'pool-left': capacity
      ? badge('pool left', size(pool.capacityLeftBytes), pool.capacityLeftBytes / capacity < POOL_EMPTY ? 'error' : pool.capacityLeftBytes / capacity < POOL_LOW ? 'warning' : 'ok')
      : badge('pool left', 'unknown', 'unknown'),
  };
  const files = BADGE_NAMES.map((name) => {
    const { tone: _tone, ...shields } = made[name];
    return { name: `badges/${name}`, badge: shields };
  });
  return {
    list: {
      ...envelope(input.generatedAt),
      badges: BADGE_NAMES.map((name) => ({ name, path: badgePath(name), label: made[name].label, message: made[name].message, color: made[name].color, state: made[name].tone })),
    },
    files,
  };
}
