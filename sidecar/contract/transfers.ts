import { Type, type Static } from '@sinclair/typebox';
import { Bytes, BytesPerSecond, IsoTime, Nullable, Seconds, envelopeFields } from './common.js';

export const Transfer = Type.Object({
  id: Type.String({ description: 'stable across polls and restarts' }),
  instance: Nullable(Type.String()),
  name: Type.String({ description: 'untrusted text: render as text, never markup' }),
  size: Nullable(Bytes),
  bytes: Bytes,
  checked: Type.Boolean({ description: 'only checked, not copied' }),
  ok: Type.Boolean(),
  error: Nullable(Type.String()),
  startedAt: Nullable(IsoTime),
  completedAt: IsoTime,
  durationSeconds: Nullable(Seconds),
  avgSpeed: Nullable(BytesPerSecond),
  group: Nullable(Type.String()),
  uploader: Nullable(Type.String()),
  serviceAccount: Nullable(Type.String()),
  serverSide: Type.Optional(
    Type.Boolean({ description: 'moved on the remote without uploading (a server-side move): bytes is 0, size is the file' }),
  ),
  srcFs: Type.Optional(Type.String()),
  dstFs: Type.Optional(Type.String()),
  source: Type.Union([Type.Literal('rclone'), Type.Literal('cloudplow'), Type.Literal('cloudplow-log')], {
    description:
      "where the record came from: rclone's core/transferred; cloudplow's transfer-stats.jsonl (the fork); or a `Copied` line rclone printed into cloudplow's log, for a file rclone finished just before it exited, with its size as last seen in flight",
  }),
});

export const Transfers = Type.Object(
  {
    ...envelopeFields,
    limit: Type.Integer({ minimum: 1, description: 'the most transfers kept; older ones are dropped' }),
    count: Type.Integer({ minimum: 0 }),
    failed: Type.Integer({ minimum: 0 }),
    transfers: Type.Array(Transfer, { description: 'newest first' }),
  },
  { $id: 'transfers', title: 'plowboard transfers.json', description: 'Completed transfers, newest first, bounded' },
);

export type Transfer = Static<typeof Transfer>;
export type Transfers = Static<typeof Transfers>;
