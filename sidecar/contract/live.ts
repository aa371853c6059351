import { Type, type Static } from '@sinclair/typebox';
import { Bytes, BytesPerSecond, IsoTime, Nullable, Seconds, SourceState, envelopeFields } from './common.js';

export const InFlightTransfer = Type.Object({
  instance: Type.String(),
  name: Type.String({ description: 'untrusted text: render as text, never markup' }),
  size: Nullable(Bytes),
  bytes: Bytes,
  percentage: Type.Number({ minimum: 0, maximum: 100 }),
  speed: Type.Number({ minimum: 0, description: "the file's average since its first byte (rclone's per-file `speed`)" }),
  speedAvg: Type.Number({
    minimum: 0,
    description: "the file's current rate (rclone's per-file `speedAvg`, a ~16 s moving average; what rclone's own progress line prints)",
  }),
  eta: Nullable(Type.Number({ minimum: 0, description: 'seconds; null when unknown: rclone does not know, or the file is stalled' })),
  stalledSince: Type.Optional(IsoTime),
  group: Nullable(Type.String()),
  srcFs: Type.Optional(Type.String()),
  dstFs: Type.Optional(Type.String({ description: 'the remote it goes to (rclone 1.66+)' })),
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
  queued: Type.Integer({ minimum: 0, description: 'files rclone has found and not yet started: totalTransfers − transfers − inFlight' }),
  queuedExact: Type.Boolean({
    description: "false where rclone's global totalTransfers leaves the queue out (before 1.73.1): queued is then a lower bound",
  }),
  moved: Type.Integer({ minimum: 0, description: "files moved: copied then removed from the source, or moved on the remote (rclone's renames)" }),
  removedFromSource: Type.Integer({ minimum: 0, description: "files deleted from the source after their copy (rclone's deletes)" }),
};

export const LiveInstance = Type.Object({
  name: Type.String(),
  state: SourceState,
  lastSeenAt: Nullable(IsoTime),
  ...counters,
  speedAvg: Type.Number({ minimum: 0, description: "rclone's own global speed (a moving average that holds its last value when idle)" }),
  uploadSpeedAvg: Type.Optional(
    Type.Number({ minimum: 0, description: 'bytes over the time transfers were running (rclone 1.64+ transferTime); absent before' }),
  ),
  phase: Type.Union([Type.Literal('transferring'), Type.Literal('checking'), Type.Literal('scanning'), Type.Literal('idle')], {
    description: 'scanning: rclone is listing the source (listed rising, rclone 1.70+) with nothing transferring yet',
  }),
  lastError: Nullable(Type.String()),
  fatalError: Type.Boolean(),
  retryError: Type.Boolean(),
  listed: Type.Optional(Type.Integer({ minimum: 0, description: 'entries listed so far (rclone 1.70+)' })),
  serverSideMoves: Type.Optional(Type.Integer({ minimum: 0, description: 'rclone 1.64+' })),
  serverSideCopies: Type.Optional(Type.Integer({ minimum: 0, description: 'rclone 1.64+' })),
  countersRestarted: Type.Optional(
    Type.Object(
      {
        at: IsoTime,
        reason: Type.Union([Type.Literal('restart'), Type.Literal('reset')], {
          description: "restart: a new rclone process (executeId changed, or the RC went away in between); reset: the counters started over in the same process",
        }),
      },
      { description: 'the last time rclone\'s counters started over; what moved before is kept in history' },
    ),
  ),
  transferring: Type.Array(InFlightTransfer),
  checking: Type.Array(Type.String()),
});

export const ThroughputPoint = Type.Object({
  t: IsoTime,
  instance: Type.String(),
  bytesPerSecond: BytesPerSecond,
});

/**
 * The rate the SA pool drains at lives here, not in accounts.json: it moves with every history
 * sample while a session uploads, and live.json changes then anyway, while accounts.json is
 * left to change only when an account's meaning does (quota used after a file finishes,
 * status, reset, ban). A rate quantized into accounts.json would still move many times during
 * the 15 minutes its average takes to settle, and tell the reader less.
 */
export const PoolRate = Type.Object(
  {
    uploader: Type.String({ description: 'the uploader of the active session: its pool, and the pool of all uploaders, drain at this rate; any other uploader\'s pool does not drain' }),
    bytesPerSecond: BytesPerSecond,
    windowSeconds: Type.Integer({ minimum: 1, description: 'the average is over the last this many seconds of history (the instant speed before any history exists)' }),
  },
  {
    description:
      "how fast the SA pool is used up: the session's recent average upload speed. A pool lasts capacityLeftBytes (accounts.json) / bytesPerSecond seconds; null while no session with a known uploader is active",
  },
);

/**
 * The active session's moving figures, as of this poll. session.json carries the same figures
 * but refreshes them at most every half heartbeat, so that it (and index.json) stands between
 * the moments its meaning changes: a file finished, another SA, the end.
 */
export const SessionProgress = Type.Object(
  {
    filesDone: Type.Integer({ minimum: 0 }),
    bytesDone: Bytes,
    averageSpeed: Nullable(BytesPerSecond),
    etaSeconds: Nullable(Seconds),
  },
  { description: "session.json's files.done, bytes.done, averageSpeed and etaSeconds now; null while no session is active" },
);

export const Live = Type.Object(
  {
    ...envelopeFields,
    total: Type.Object({ ...counters, activeInstances: Type.Integer({ minimum: 0 }) }),
    instances: Type.Array(LiveInstance),
    throughput: Type.Object({
      windowSeconds: Type.Integer({ minimum: 1 }),
      points: Type.Array(ThroughputPoint, {
        description:
          'one point per change; a value holds until the next point of its instance. An instance\'s first point may be older than the window: its value holds from then',
      }),
    }),
    poolRate: Type.Optional(Nullable(PoolRate)),
    sessionProgress: Type.Optional(Nullable(SessionProgress)),
  },
  { $id: 'live', title: 'plowboard live.json', description: 'What rclone is doing now, per instance and summed' },
);

export type InFlightTransfer = Static<typeof InFlightTransfer>;
export type LiveInstance = Static<typeof LiveInstance>;
export type ThroughputPoint = Static<typeof ThroughputPoint>;
export type PoolRate = Static<typeof PoolRate>;
export type SessionProgress = Static<typeof SessionProgress>;
export type Live = Static<typeof Live>;
