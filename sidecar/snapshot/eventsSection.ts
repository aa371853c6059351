import type { Events } from '../contract/index.js';
import type { Section } from './document.js';
import { orDash, utc } from './format.js';

const DAY_MS = 86_400_000;

/** The last day's events before the data's time, newest first; the copied events.json has the rest. */
export function eventsSection(e: Events, time: string): Section {
  const since = Date.parse(time) - DAY_MS;
  const shown = e.events.filter((x) => Date.parse(x.time) >= since);
  return {
    id: 'events',
    title: 'Events of the last day',
    blocks: shown.length
      ? [
          { kind: 'text', text: `${shown.length} event${shown.length === 1 ? '' : 's'} in the 24 hours before the data's time, newest first.` },
          {
            kind: 'table',
            table: {
              columns: ['time (UTC)', 'severity', 'what', 'uploader', 'service account', 'until (UTC)', 'evidence'],
              rows: shown.map((x) => [
                utc(x.time),
                x.severity,
                x.count > 1 ? `${x.summary} (${x.count}×)` : x.summary,
                orDash(x.uploader),
                orDash(x.account),
                x.until ? utc(x.until) : '—',
                [x.evidence.source, x.evidence.figure, x.evidence.line].filter(Boolean).join(': '),
              ]),
            },
          },
        ]
      : [{ kind: 'text', text: 'Nothing happened in the 24 hours before the data\'s time.' }],
  };
}
