import type { EventKind, TimelineEvent } from '../../sidecar/contract/index.js';
import { el } from './dom.js';
import { ago, clock, dateTime, when } from './format.js';

const KIND_WORDS: Record<EventKind, string> = {
  session_started: 'session started',
  session_finished: 'session finished',
  session_aborted: 'session aborted',
  sa_changed: 'SA changed',
  sa_rate_limited: 'rate limit',
  sa_banned: 'SA banned',
  uploader_suspended: 'uploader suspended',
  quota_reset: 'quota reset',
  rclone_idle: 'rclone idle',
  rclone_restarted: 'rclone restarted',
  error_burst: 'error burst',
  source_bad: 'source bad',
  source_good: 'source good again',
  sidecar_started: 'sidecar started',
  sidecar_stopped: 'sidecar stopped',
};

export const kindWords = (e: TimelineEvent): string => KIND_WORDS[e.kind] ?? String(e.kind).replace(/_/g, ' ');

/** Warnings and errors: what the kiosk shows and the overview marks. */
export const isSerious = (e: TimelineEvent): boolean => e.severity !== 'info';

/** The "when" of an event as it ticks: 10:42:03 · 5 min ago. */
export const eventTime = (iso: string): string => `${clock(iso)} · ${ago(iso)}`;

/** What it concerns, in a few words: "google · 3.json · until Tue 14:00". */
export function eventFacts(e: TimelineEvent): string {
  return [e.uploader, e.account, e.file, e.until ? `until ${when(e.until)}` : null, e.count > 1 ? `${e.count}×` : null].filter(Boolean).join(' · ');
}

/** One event as a list item; every string goes in as text (log lines are untrusted). */
export function eventItem(e: TimelineEvent, withEvidence: boolean): HTMLLIElement {
  const facts = eventFacts(e);
  const evidence = withEvidence
    ? el(
        'div',
        { class: 'evidence' },
        el('span', { class: 'source', text: [e.evidence.source, e.evidence.figure].filter(Boolean).join(' · ') }),
        e.evidence.line ? el('code', { class: 'line', text: e.evidence.line }) : null,
      )
    : null;
  return el(
    'li',
    { class: `event sev-${e.severity}`, 'data-kind': e.kind, 'data-id': e.id },
    el('time', { class: 'time', datetime: e.time, 'data-time': e.time, title: dateTime(e.time), text: eventTime(e.time) }),
    el('span', { class: 'sev', text: e.severity }),
    el('span', { class: 'what' }, el('strong', { text: kindWords(e) }), ` ${e.summary}`),
    facts ? el('span', { class: 'facts', text: facts }) : null,
    evidence,
  );
}

/** Keeps the ages in a list of event items moving between polls. */
export function tickTimes(root: ParentNode): void {
  for (const t of root.querySelectorAll<HTMLElement>('time[data-time]')) {
    const text = eventTime(t.dataset.time!);
    if (t.textContent !== text) t.textContent = text;
  }
}
