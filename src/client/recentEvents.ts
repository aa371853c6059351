import type { Events, TimelineEvent } from '../../sidecar/contract/index.js';
import { byId, replaceRows, setText } from './dom.js';
import { clock } from './format.js';
import { eventItem, isSerious, kindWords, tickTimes } from './eventWords.js';

/** The overview's few, the kiosk's one: the events page has the rest. */
const OVERVIEW_SHOWN = 5;
/** A wall screen tells a warning of today, not one of last week. */
const KIOSK_WITHIN_MS = 24 * 3600_000;

/** The overview's list of the last few events (#recent-events, #recent-events-empty). */
export function renderRecentEvents(data: Events): void {
  const shown = data.events.slice(0, OVERVIEW_SHOWN);
  const list = byId('recent-events');
  replaceRows(list, JSON.stringify(shown.map((e) => [e.id, e.count, e.uploader, e.account])), () => shown.map((e) => eventItem(e, false)));
  byId('recent-events-empty').hidden = shown.length > 0;
  tickTimes(list);
}

export const tickRecentEvents = (): void => tickTimes(byId('recent-events'));

/** The latest warning or error of the last day, for the kiosk (#k-event). */
export function latestSerious(data: Events, now = Date.now()): TimelineEvent | null {
  return data.events.find((e) => isSerious(e) && now - Date.parse(e.time) < KIOSK_WITHIN_MS) ?? null;
}

export function renderKioskEvent(data: Events): void {
  const e = latestSerious(data);
  const node = byId('k-event');
  node.hidden = !e;
  node.dataset.severity = e?.severity ?? '';
  setText('k-event', e ? `${e.severity === 'error' ? '✖' : '⚠'} ${clock(e.time)} ${kindWords(e)}: ${e.summary}` : '');
}
