import { Type, type Static } from '@sinclair/typebox';
import { IsoTime, Nullable, envelopeFields } from './common.js';

export const ManifestFile = Type.Object({
  name: Type.String(),
  path: Type.String({ description: 'relative to the output folder' }),
  schema: Type.String({ description: 'relative to the output folder' }),
  changedAt: Type.Union([IsoTime, Type.Null()], {
    description: 'when the file last changed; for a file polled directly, when this sidecar first wrote it (null: not written yet)',
  }),
  description: Type.String(),
  polled: Type.Optional(
    Type.Literal('directly', {
      description:
        'this file changes too often to announce here (live.json and session.json on every poll while an upload runs, the history ranges with every 5 s sample, heartbeat.json with every beat): fetch it each interval with a conditional request, which costs a 304 while it has not changed',
    }),
  ),
});

export const Manifest = Type.Object(
  {
    ...envelopeFields,
    sidecar: Type.Object({ version: Type.String(), startedAt: IsoTime }),
    heartbeatAt: Type.Optional(
      Type.Union([IsoTime, Type.Null()], {
        description: 'no longer written: the heartbeat is in heartbeat.json, so this file changes only when some file\'s changedAt does',
      }),
    ),
    heartbeatSeconds: Type.Number({
      minimum: 0,
      description: "heartbeat.json's heartbeatAt is refreshed at least this often while the sidecar runs; 0 for a one-off build",
    }),
    intervals: Type.Object({
      activeSeconds: Type.Number({ minimum: 0 }),
      idleSeconds: Type.Number({ minimum: 0 }),
      maxBackoffSeconds: Type.Number({ minimum: 0 }),
    }),
    demo: Type.Optional(Type.Boolean({ description: "as health.json's demo: here too because every page polls this file, so each can show the demo banner" })),
    files: Type.Array(ManifestFile),
  },
  {
    $id: 'index',
    title: 'plowboard index.json',
    description:
      'Manifest: every data file, its schema and when it last changed. It changes only when some file\'s changedAt does. Poll it (a 304 while nothing moved) and fetch a file when its changedAt moves; fetch the files marked polled "directly" (live, session, heartbeat, the history ranges) each interval with a conditional request instead.',
  },
);

export type ManifestFile = Static<typeof ManifestFile>;
export type Manifest = Static<typeof Manifest>;
