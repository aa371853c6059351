import { Type, type Static } from '@sinclair/typebox';
import { IsoTime, Nullable, envelopeFields } from './common.js';

export const LogLine = Type.Object({
  time: Nullable(IsoTime),
  level: Nullable(Type.String()),
  logger: Nullable(Type.String()),
  func: Nullable(Type.String()),
  message: Type.String({ description: 'untrusted text: render as text, never markup' }),
  rcloneTime: Type.Optional(Nullable(IsoTime)),
  rcloneLevel: Type.Optional(Nullable(Type.String())),
});

export const LogEvent = Type.Object({
  kind: Type.String({ description: 'upload_started, upload_finished, sa_chosen, sa_count, trigger_hit, trigger_limit, sa_cycled, uploader_suspended, uploader_done, no_accounts_left, unban_expected, file_copied, file_moved, …' }),
  time: Nullable(IsoTime),
  uploader: Nullable(Type.String()),
  account: Nullable(Type.String({ description: 'the SA file’s base name' })),
  detail: Nullable(Type.String({ description: 'the trigger, the file, the count: whatever the event names' })),
  until: Nullable(IsoTime),
  message: Type.String(),
});

export const Logs = Type.Object(
  {
    ...envelopeFields,
    file: Nullable(Type.String()),
    lines: Type.Array(LogLine, { description: 'oldest first, bounded' }),
    events: Type.Array(LogEvent, { description: 'recognized events, oldest first, bounded' }),
  },
  { $id: 'logs', title: 'plowboard logs.json', description: "The last lines of cloudplow's log, parsed, and the events recognized in them" },
);

export type LogLine = Static<typeof LogLine>;
export type LogEvent = Static<typeof LogEvent>;
export type Logs = Static<typeof Logs>;
