import type { LogEvent, LogLine, Logs } from '../../../sidecar/contract/index.js';
import { byId, el, setText } from '../dom.js';
import { ago, clock, dateTime, when } from '../format.js';
import { headerStatus } from '../headerStatus.js';
import { startPage } from '../startPage.js';
import { Choices, countBy, searchMatcher } from '../table.js';

type Level = 'error' | 'warning' | 'info' | 'debug';

interface Row {
  key: string;
  line: LogLine;
  level: Level | null;
  events: LogEvent[];
}

/** cloudplow's (Python) and rclone's level names, grouped. */
const LEVELS: Record<string, Level> = { CRITICAL: 'error', FATAL: 'error', ERROR: 'error', WARNING: 'warning', WARN: 'warning', NOTICE: 'info', INFO: 'info', DEBUG: 'debug' };
const RANK: Record<Level, number> = { error: 3, warning: 2, info: 1, debug: 0 };

const EVENT_WORDS: Record<string, string> = {
  upload_started: 'upload started',
  upload_finished: 'upload finished',
  sa_chosen: 'service account chosen',
  sa_count: 'service accounts counted',
  trigger_hit: 'limit trigger hit',
  trigger_limit: 'trigger limit reached',
  sa_cycled: 'service account cycled',
  uploader_suspended: 'uploader suspended',
  uploader_done: 'uploader done',
  no_accounts_left: 'no service account left',
  unban_expected: 'first service account free',
  file_copied: 'file copied',
  file_moved: 'file moved on the remote',
};
const eventWords = (e: LogEvent) => EVENT_WORDS[e.kind] ?? e.kind.replace(/_/g, ' ');
/** What an event names, in a few words: "1.json", "until 14:00", the file. */
const eventDetail = (e: LogEvent) => [e.uploader, e.account, e.detail, e.until ? `until ${when(e.until)}` : null].filter(Boolean).join(' · ');

/**
 * An rclone line nested in a cloudplow line has two levels (cloudplow logs rclone's
 * ERROR at INFO): the more severe one is the line's level.
 */
function levelOf(l: LogLine): Level | null {
  const levels = [l.level, l.rcloneLevel].map((x) => (x ? LEVELS[x.toUpperCase()] : undefined)).filter((x): x is Level => !!x);
  return levels.length ? levels.reduce((a, b) => (RANK[b] > RANK[a] ? b : a)) : null;
}

const eventKey = (time: string | null, message: string) => `${time ?? ''}\u0000${message}`;

let logs: Logs | null = null;
let rows: Row[] = [];
const trs = new Map<string, HTMLTableRowElement>();
const tbody = byId('log-lines');
const scroller = byId('log-scroll');
const search = byId<HTMLInputElement>('log-search');
const eventsOnly = byId<HTMLInputElement>('log-events-only');
const levels = new Choices<Level>(
  byId('log-level'),
  'level',
  [
    ['error', 'errors'],
    ['warning', 'warnings'],
    ['info', 'info'],
    ['debug', 'debug'],
  ],
  () => render(),
);
search.addEventListener('input', () => render());
eventsOnly.addEventListener('change', () => render());

function setLogs(data: Logs): void {
  logs = data;
  const byLine = new Map<string, LogEvent[]>();
  for (const e of data.events) byLine.set(eventKey(e.time, e.message), [...(byLine.get(eventKey(e.time, e.message)) ?? []), e]);
  // The same line twice (a retry logged in the same second) gets a key each.
  const seen = new Map<string, number>();
  rows = data.lines.map((line) => {
    const base = eventKey(line.time, line.message);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    const events = byLine.get(base) ?? [];
    // The events are in the key too: a line whose events changed is drawn again.
    return { key: `${base}\u0000${n}\u0000${events.map((e) => e.kind).join()}`, line, level: levelOf(line), events };
  });
  setText('log-file', data.file ? `(${data.file})` : '');
  renderEvents();
  render();
}

function lineRow(r: Row): HTMLTableRowElement {
  const l = r.line;
  const msg = el('td', { class: 'msg' });
  for (const e of r.events) msg.append(el('span', { class: 'event-tag', text: eventWords(e) }));
  msg.append(l.message);
  return el(
    'tr',
    { class: r.events.length ? 'event' : null, 'data-level': r.level?.toUpperCase() ?? null },
    el('td', { class: 'time', text: when(l.time), title: l.time ? dateTime(l.time) : null }),
    el('td', { class: 'level', text: [l.level, l.rcloneLevel && l.rcloneLevel !== l.level ? `rclone ${l.rcloneLevel}` : null].filter(Boolean).join(' / ') || '—' }),
    el('td', { class: 'logger', text: [l.logger, l.func].filter(Boolean).join('.'), title: l.func ?? null }),
    msg,
  );
}

// Follow mode: stay at the bottom as lines arrive, until the reader scrolls up.
let following = true;
let unseen = 0;
const atBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 8;

function setFollowing(on: boolean): void {
  following = on;
  if (on) unseen = 0;
  byId('follow-button').hidden = on;
  setText('follow-state', on ? 'Following new lines.' : `Paused: you scrolled up.${unseen ? ` ${unseen} new line${unseen === 1 ? '' : 's'} below.` : ''}`);
}
scroller.addEventListener('scroll', () => {
  if (atBottom() !== following) setFollowing(!following);
});
byId('follow-button').addEventListener('click', () => {
  scroller.scrollTop = scroller.scrollHeight;
  setFollowing(true);
});

/**
 * Keeps one <tr> per line and touches only what changed: lines that scrolled out of
 * the bounded list are removed, new ones inserted, the rest stay. The browser's scroll
 * anchoring then keeps a paused reader's place.
 */
function render(): void {
  const matches = searchMatcher(search.value);
  const level = levels.value;
  const searched = rows.filter((r) => (!eventsOnly.checked || r.events.length > 0) && matches(r.line.message, r.line.logger, r.line.func));
  levels.setCounts(countBy(searched.filter((r) => r.level), (r) => r.level!));
  const shown = searched.filter((r) => level === 'all' || r.level === level);

  const before = new Set(trs.keys());
  const wanted = new Map<string, HTMLTableRowElement>();
  for (const r of shown) wanted.set(r.key, trs.get(r.key) ?? lineRow(r));
  for (const [key, tr] of trs) if (!wanted.has(key)) tr.remove();
  let cursor = tbody.firstElementChild;
  let added = 0;
  for (const [key, tr] of wanted) {
    if (tr === cursor) {
      cursor = cursor.nextElementSibling;
      continue;
    }
    tbody.insertBefore(tr, cursor);
    if (!before.has(key)) added++;
  }
  trs.clear();
  for (const [k, tr] of wanted) trs.set(k, tr);

  if (following) scroller.scrollTop = scroller.scrollHeight;
  else if (added) {
    unseen += added;
    setFollowing(false);
  }
  renderStatus(shown.length);
}

function renderStatus(shown: number): void {
  if (!logs) return;
  const last = logs.lines.at(-1)?.time;
  const of = shown === rows.length ? `${rows.length} lines` : `${shown} of ${rows.length} lines`;
  setText('log-status', rows.length ? `${of}; the last logged ${last ? ago(last) : 'at an unknown time'}.` : 'The log has no lines yet.');
}

/** Newest first; each jumps to its line. */
function renderEvents(): void {
  if (!logs) return;
  const events = [...logs.events].reverse();
  setText('events-count', events.length ? `(${events.length})` : '');
  byId('events-empty').hidden = events.length > 0;
  const list = byId('events');
  const key = JSON.stringify(events.map((e) => [e.time, e.kind, e.message]));
  if (list.dataset.key !== key) {
    list.dataset.key = key;
    list.replaceChildren(
      ...events.map((e) => {
        const button = el('button', { type: 'button', class: 'jump' }, el('strong', { text: eventWords(e) }), eventDetail(e) ? `: ${eventDetail(e)}` : '');
        button.addEventListener('click', () => jumpTo(e));
        return el('li', {}, el('time', { class: 'time', datetime: e.time ?? null, 'data-time': e.time ?? '' }), button);
      }),
    );
  }
  tickEvents();
}

function tickEvents(): void {
  for (const t of byId('events').querySelectorAll<HTMLElement>('time')) {
    const iso = t.dataset.time;
    const text = iso ? `${clock(iso)} · ${ago(iso)}` : '—';
    if (t.textContent !== text) t.textContent = text;
  }
}

/** Shows an event's line: clears filters that hide it, scrolls it into view (which pauses following) and marks it. */
function jumpTo(e: LogEvent): void {
  // By time and message: the list is rebuilt from each new file, the event objects with it.
  const row = rows.find((r) => r.key.startsWith(`${eventKey(e.time, e.message)}\u0000`));
  if (!row) return;
  if (!trs.has(row.key)) {
    search.value = '';
    eventsOnly.checked = false;
    byId('log-level').querySelector<HTMLInputElement>('input[value=all]')!.click();
    render();
  }
  const tr = trs.get(row.key);
  if (!tr) return;
  tr.scrollIntoView({ block: 'center' });
  for (const old of tbody.querySelectorAll('tr.flash')) old.classList.remove('flash');
  tr.classList.add('flash');
}

startPage({
  files: ['logs'],
  status: headerStatus({
    name: 'Logs',
    title: () => {
      if (!logs) return null;
      const errors = rows.filter((r) => r.level === 'error').length;
      return `${errors ? `${errors} error${errors === 1 ? '' : 's'}` : 'no errors'}${following ? '' : ' · paused'}`;
    },
  }),
  onData: (_name, data) => setLogs(data as Logs),
  tick: () => {
    tickEvents();
    renderStatus(trs.size);
  },
});
