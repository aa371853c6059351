import { Type, type Static } from '@sinclair/typebox';
import { Bytes, BytesPerSecond, IsoTime, Nullable, Seconds, SourceState, envelope } from './common.js';

export const InFlightTransfer = Type.Object({
  instance: Type.String(),
  name: Type.String({ description: 'untrusted text: render as text, never markup' }),
  size: Nullable(Bytes),
  bytes: Bytes,
  percentage: Type.Number({ minimum: 0, maximum: 100 }),
  speed: BytesPerSecond,
  speedAvg: BytesPerSecond,
  eta: Nullable(Seconds),
  group: Nullable(Type.String()),
  srcFs: Type.Optional(Type.String()),
  dstFs: Type.Optional(Type.String()),
});

const counters = {
  speed: Type.Number({ minimum: 0, description: 'current throughput, bytes per second' }),
  bytes: Bytes,
  totalBytes: Bytes,
  eta: Nullable(Seconds),
  transfers: Type.Integer({ minimum: 0, description: 'transfers completed' }),
  totalTransfers: Type.Integer({ minimum: 0 }),
  checks: Type.Integer({ minimum: 0 }),
  totalChecks: Type.Integer({ minimum: 0 }),
  errors: Type.Integer({ minimum: 0 }),
  inFlight: Type.Integer({ minimum: 0 }),
};

export const LiveInstance = Type.Object({
  name: Type.String(),
  state: SourceState,
  lastSeenAt: Nullable(IsoTime),
  ...counters,
  speedAvg: Type.Number({ minimum: 0, description: "rclone's average speed over the run" }),
  lastError: Nullable(Type.String()),
  fatalError: Type.Boolean(),
  retryError: Type.Boolean(),
  listed: Type.Optional(Type.Integer({ minimum: 0 })),
  transferring: Type.Array(InFlightTransfer),
  checking: Type.Array(Type.String()),
});

export const ThroughputPoint = Type.Object({
  t: IsoTime,
  instance: Type.String(),
  bytesPerSecond: BytesPerSecond,
});

export const Live = Type.Object(
  {
    ...envelope,
    total: Type.Object({ ...counters, activeInstances: Type.Integer({ minimum: 0 }) }),
    instances: Type.Array(LiveInstance),
    throughput: Type.Object({
      windowSeconds: Type.Integer({ minimum: 1 }),
      points: Type.Array(ThroughputPoint, {
        description:
          'one point per change; a value holds until the next point of its instance. An instance\'s first point may be older than the window: its value holds from then',
      }),
    }),
  },
  { $id: 'live', title: 'plowboard live.json', description: 'What rclone is doing now, per instance and summed' },
);

export type InFlightTransfer = Static<typeof InFlightTransfer>;
export type LiveInstance = Static<typeof LiveInstance>;
export type ThroughputPoint = Static<typeof ThroughputPoint>;
export type Live = Static<typeof Live>;
