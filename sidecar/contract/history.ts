import { Type, type Static } from '@sinclair/typebox';
import { IsoTime, envelopeFields } from './common.js';

const Column = (description: string) => Type.Array(Type.Union([Type.Number(), Type.Null()]), { description });

export const HistorySeries = Type.Object({
  key: Type.String({ description: 'total, instance:<name>, uploader:<name> or account:<uploader>/<name>' }),
  kind: Type.Union([Type.Literal('total'), Type.Literal('instance'), Type.Literal('uploader'), Type.Literal('account')]),
  name: Type.String(),
  /** Columns, one entry per bucket; a null everywhere marks a gap (the sidecar was not running). */
  t: Column('bucket start, Unix seconds'),
  bytes: Column('bytes moved in the bucket'),
  bytesPerSecond: Column('average throughput over the bucket'),
  inFlight: Column('average transfers in flight'),
  errors: Column('failed transfers in the bucket'),
  files: Type.Optional(Column('transfers finished fine in the bucket; 90d range only')),
  saChanges: Type.Optional(Column("times cloudplow cycled to another service account (its log's \"cycling to service_account file\"); 90d range only")),
  refusals: Type.Optional(Column("rate-limit refusals (Google's 403 rate limit or max transfer, as rclone logged them in cloudplow's log); 90d range only")),
  uploadingSeconds: Type.Optional(Column('seconds something was in flight in the bucket; 90d range only')),
});

export const DailyBytes = Type.Object({
  day: Type.String({ description: 'YYYY-MM-DD in UTC' }),
  key: Type.String(),
  bytes: Type.Integer({ minimum: 0 }),
});

export const HistoryRange = Type.Object({
  ...envelopeFields,
  range: Type.Union([Type.Literal('1h'), Type.Literal('48h'), Type.Literal('90d')]),
  stepSeconds: Type.Integer({ minimum: 1 }),
  from: IsoTime,
  to: IsoTime,
  series: Type.Array(HistorySeries),
  daily: Type.Array(DailyBytes, { description: 'bytes uploaded per UTC day per series; only in the 90d range' }),
});

export const HISTORY_RANGES = ['1h', '48h', '90d'] as const;
export type HistoryRangeName = (typeof HISTORY_RANGES)[number];

export const historyRangeSchema = (range: HistoryRangeName) =>
  Type.Object(HistoryRange.properties, {
    $id: `history-${range}`,
    title: `plowboard history-${range}.json`,
    description: `Throughput, bytes, transfers in flight and errors over the last ${range}, kept across restarts; gaps where the sidecar did not run`,
  });

export type HistorySeries = Static<typeof HistorySeries>;
export type DailyBytes = Static<typeof DailyBytes>;
export type HistoryRange = Static<typeof HistoryRange>;
