import { Type, type Static } from '@sinclair/typebox';
import { IsoTime, Nullable, envelopeFields } from './common.js';

export const ManifestFile = Type.Object({
  name: Type.String(),
  path: Type.String({ description: 'relative to the output folder' }),
  schema: Type.String({ description: 'relative to the output folder' }),
  changedAt: Nullable(IsoTime),
  description: Type.String(),
});

export const Manifest = Type.Object(
  {
    ...envelopeFields,
    sidecar: Type.Object({ version: Type.String(), startedAt: IsoTime }),
    heartbeatAt: Nullable(IsoTime),
    heartbeatSeconds: Type.Number({
      minimum: 0,
      description: 'heartbeatAt is refreshed at least this often while the sidecar runs; 0 for a one-off build',
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
    description: 'Manifest: every data file, its schema and when it last changed. Poll this one file; fetch the others when their changedAt moves.',
  },
);

export type ManifestFile = Static<typeof ManifestFile>;
export type Manifest = Static<typeof Manifest>;
