import { Type, type Static } from '@sinclair/typebox';
import { Bytes, IsoTime, Nullable, envelopeFields } from './common.js';

export const SizeBucket = Type.Object({
  label: Type.String(),
  minBytes: Bytes,
  maxBytes: Nullable(Bytes),
  count: Type.Integer({ minimum: 0 }),
  bytes: Bytes,
  countPercent: Type.Number({ minimum: 0 }),
  bytesPercent: Type.Number({ minimum: 0 }),
});

export const SizeDistribution = Type.Object({
  percentiles: Type.Object({ p50: Nullable(Bytes), p75: Nullable(Bytes), p90: Nullable(Bytes), p95: Nullable(Bytes), p99: Nullable(Bytes) }),
  buckets: Type.Array(SizeBucket),
  sampleCount: Type.Integer({ minimum: 0 }),
  totalFiles: Type.Integer({ minimum: 0 }),
  totalBytes: Bytes,
  maxFileSize: Nullable(Bytes),
  meanBytes: Nullable(Bytes),
  stdDevBytes: Nullable(Bytes),
  confidence: Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high'), Type.Literal('very_high')]),
  updatedAt: Nullable(IsoTime),
  layout: Type.Union([Type.Literal('sections'), Type.Literal('flat')], {
    description: 'sections: under queue_distribution / transfer_history; flat: the older layout, stats directly under the uploader',
  }),
});

export const Distribution = Type.Object(
  {
    ...envelopeFields,
    uploaders: Type.Array(
      Type.Object({
        name: Type.String(),
        queue: Nullable(SizeDistribution),
        history: Nullable(SizeDistribution),
      }),
    ),
  },
  { $id: 'distribution', title: 'plowboard distribution.json', description: 'File-size distributions per uploader, from the queue and from history' },
);

export type SizeBucket = Static<typeof SizeBucket>;
export type SizeDistribution = Static<typeof SizeDistribution>;
export type Distribution = Static<typeof Distribution>;
