import type { EventSeverity, Events, TimelineEvent } from '../../../sidecar/contract/index.js';
import { byId, replaceRows, setText } from '../dom.js';
import { eventFacts, eventItem, kindWords, tickTimes } from '../eventWords.js';
import { ago } from '../format.js';
import { headerStatus } from '../headerStatus.js';
import { startPage } from '../startPage.js';
import { Choices, countBy, searchMatcher } from '../table.js';

let events: Events | null = null;
const list = byId<HTMLOListElement>('timeline');
const search = byId<HTMLInputElement>('event-search');
const severities = new Choices<EventSeverity>(
  byId('event-severity'),
  'severity',
  [
    ['error', 'errors'],
    ['warning', 'warnings'],
    ['info', 'info'],
  ],
  () => render(),
);
search.addEventListener('input', () => render());

const matches = (e: TimelineEvent, match: ReturnType<typeof searchMatcher>) => match(kindWords(e), e.summary, eventFacts(e), e.evidence.line, e.evidence.figure);

function render(): void {
  if (!events) return;
  const match = searchMatcher(search.value);
  const searched = events.events.filter((e) => matches(e, match));
  severities.setCounts(countBy(searched, (e) => e.severity));
  const shown = searched.filter((e) => severities.value === 'all' || e.severity === severities.value);
  replaceRows(list, JSON.stringify(shown.map((e) => [e.id, e.count, e.uploader, e.account, e.file])), () => shown.map((e) => eventItem(e, true)));
  renderStatus(shown.length);
}

function renderStatus(shownCount = list.childElementCount): void {
  if (!events) return;
  setText('events-count', `(${events.events.length})`);
  const shown = { length: shownCount };
  const newest = events.events[0];
  const of = shown.length === events.events.length ? `${shown.length} events` : `${shown.length} of ${events.events.length} events`;
  setText(
    'events-status',
    events.events.length ? `${of}, kept ${events.keptDays} days (at most ${events.limit}); the newest ${ago(newest!.time)}.` : 'Nothing has happened yet: events appear as plowboard sees them.',
  );
}

startPage({
  files: ['events'],
  status: headerStatus({
    name: 'Events',
    title: () => {
      const serious = events?.events.filter((e) => e.severity === 'error').length ?? 0;
      return events ? (serious ? `${serious} error${serious === 1 ? '' : 's'}` : 'no errors') : null;
    },
  }),
  onData: (_name, data) => {
    events = data as Events;
    render();
  },
  tick: () => {
    tickTimes(list);
    renderStatus();
  },
});
