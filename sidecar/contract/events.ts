import { Type, type Static } from '@sinclair/typebox';
import { IsoTime, Nullable, envelopeFields } from './common.js';

export const EVENT_KINDS = [
  'session_started',
  'session_finished',
  'session_aborted',
  'sa_changed',
  'sa_rate_limited',
  'sa_banned',
  'uploader_suspended',
  'quota_reset',
  'rclone_idle',
  'rclone_restarted',
  'error_burst',
  'source_bad',
  'source_good',
  'sidecar_started',
  'sidecar_stopped',
] as const;

export const EventKind = Type.Union(
  EVENT_KINDS.map((k) => Type.Literal(k)),
  { description: 'what happened' },
);

export const EventSeverity = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('error')]);

export const TimelineEvent = Type.Object({
  id: Type.String({ description: 'stable identity: the same happening read again (a log re-read after a restart or a rotation) has the same id' }),
  time: IsoTime,
  kind: EventKind,
  severity: EventSeverity,
  summary: Type.String({ description: 'one sentence; untrusted text (names from files and logs): render as text, never markup' }),
  uploader: Nullable(Type.String()),
  account: Nullable(Type.String({ description: 'the SA file’s base name' })),
  file: Nullable(Type.String({ description: 'the file it concerns; untrusted text' })),
  until: Nullable(IsoTime),
  count: Type.Integer({ minimum: 1, description: 'how many times it was seen: repeated rate-limit lines of one SA are one event' }),
  evidence: Type.Object({
    source: Type.String({ description: 'where it was seen: cloudplow.log, accounts, rclone, transfers, health, sidecar' }),
    line: Nullable(Type.String({ description: 'the log line, secrets redacted; untrusted text' })),
    figure: Nullable(Type.String({ description: 'the figure that decided it, e.g. "5 failures in 10 min"' })),
  }),
});

export const Events = Type.Object(
  {
    ...envelopeFields,
    keptDays: Type.Integer({ minimum: 1 }),
    limit: Type.Integer({ minimum: 1 }),
    events: Type.Array(TimelineEvent, { description: 'newest first, bounded by keptDays and limit' }),
  },
  { $id: 'events', title: 'plowboard events.json', description: 'What happened, newest first: sessions, SA changes, rate limits, bans, rclone, sources, the sidecar' },
);

export type EventKind = Static<typeof EventKind>;
export type EventSeverity = Static<typeof EventSeverity>;
export type TimelineEvent = Static<typeof TimelineEvent>;
export type Events = Static<typeof Events>;
