import type { LiveInstance } from '../../sidecar/contract/index.js';
import { ago, clock, dateTime, when } from './format.js';
import type { PageStatus } from './pageStatus.js';

/**
 * What every page says about its data: how fresh it is, and the banner when it cannot be
 * trusted — the server gone, the sidecar stopped. The base layout's header and the
 * kiosk's banner and footer say it in their own words, both written here.
 */

/** How a page speaks of what it shows once that is old: the overview of its figures, the other pages as a whole. */
export type Shown = 'numbers' | 'page';

const SHOWN: Record<Shown, { last: string; old: string }> = {
  numbers: { last: 'The numbers below are the last ones received.', old: 'The numbers below are old.' },
  page: { last: 'What is shown is the last data received.', old: 'What is shown is old.' },
};

/** The base layout's banner, or '' when all is well. */
export function bannerText(s: PageStatus, shown: Shown): string {
  const c = s.connection;
  if (c.state === 'unreachable') return `The server is unreachable — retrying. ${SHOWN[shown].last}`;
  if (c.state === 'failing') return `The server answers, but not with plowboard's data (${c.detail}) — retrying.`;
  if (s.stopped) return `The sidecar has stopped: no update since ${when(s.heartbeatAt)}. ${SHOWN[shown].old}`;
  return '';
}

/**
 * "updated 3 s ago". A one-off build has no heartbeat: it is a static build, not a
 * stopped sidecar. `at` writes the build's time (the kiosk's footer is short).
 */
export function freshnessText(s: PageStatus, at: (iso: string) => string = dateTime): string {
  const m = s.manifest;
  if (!m) return 'loading…';
  return m.heartbeatSeconds === 0 ? `static build from ${at(m.generatedAt)}` : `updated ${ago(s.heartbeatAt ?? m.generatedAt)}`;
}

/** What is wrong, in a word for the tab title ahead of the page's own state; null when nothing is. */
export function problemWord(s: PageStatus): 'unreachable' | 'error' | 'stopped' | null {
  if (s.connection.state === 'unreachable') return 'unreachable';
  if (s.connection.state === 'failing') return 'error';
  return s.stopped ? 'stopped' : null;
}

export interface KioskBanner {
  text: string;
  kind: 'bad' | 'warn';
}

/**
 * The kiosk's one line across the top, read from across a room: the server or sidecar
 * gone, else rclone not uploading (a wall screen has no health page beside it).
 */
export function kioskBanner(s: PageStatus, instances: readonly Pick<LiveInstance, 'state'>[]): KioskBanner | null {
  const { connection: c, manifest: m } = s;
  if (c.state === 'unreachable' || c.state === 'failing')
    return { text: `Sidecar gone — no answer from the server${s.lastAnswerAt ? ` since ${clock(new Date(s.lastAnswerAt).toISOString())}` : ''}`, kind: 'bad' };
  if (m && s.stopped) return { text: `Data is stale — no update since ${when(s.heartbeatAt)} (${ago(s.heartbeatAt)})`, kind: 'bad' };
  if (instances.length && !instances.some((i) => i.state === 'ok')) {
    if (instances.every((i) => i.state === 'idle')) return { text: 'rclone is idle — nothing is uploading', kind: 'warn' };
    // It answers, and no password was refused: rclone 1.74+ wants its RC to have a user (or --rc-no-auth).
    if (instances.some((i) => i.state === 'auth_required')) return { text: 'rclone needs an RC user — see the health page', kind: 'warn' };
    if (instances.some((i) => i.state === 'auth_failed')) return { text: 'rclone refused the password', kind: 'bad' };
    return { text: 'rclone does not answer', kind: 'bad' };
  }
  return null;
}
