import { Type, type Static } from '@sinclair/typebox';
import { Bytes, BytesPerSecond, IsoTime, Nullable, Seconds, envelopeFields } from './common.js';

export const StageParams = Type.Object({
  strategy: Nullable(Type.String()),
  maxTransfer: Nullable(Type.String()),
  maxSize: Nullable(Type.String()),
  transfers: Nullable(Type.Integer()),
  orderBy: Nullable(Type.String()),
  maxBacklog: Nullable(Type.Integer()),
});

export const Session = Type.Object({
  uploader: Nullable(Type.String()),
  active: Type.Boolean({ description: 'decided from evidence, not from the fork’s flag alone' }),
  evidence: Type.Array(Type.String(), { description: 'why active is what it is, in words' }),
  flagActive: Nullable(Type.Boolean({ description: 'the fork’s own active flag, which stays true after a normal finish' })),
  account: Type.Object({
    index: Nullable(Type.Integer({ minimum: 1, description: '1-based' })),
    of: Nullable(Type.Integer({ minimum: 0 })),
    name: Nullable(Type.String()),
  }),
  accountsUsed: Type.Array(Type.String()),
  stage: Type.Object({ number: Nullable(Type.Integer({ minimum: 0 })), params: Nullable(StageParams) }),
  uploadFolder: Nullable(Type.String()),
  startedAt: Nullable(IsoTime),
  endedAt: Nullable(IsoTime),
  durationSeconds: Nullable(Seconds),
  files: Type.Object({ done: Type.Integer({ minimum: 0 }), total: Nullable(Type.Integer({ minimum: 0 })) }),
  bytes: Type.Object({ done: Bytes, total: Nullable(Bytes) }),
  averageSpeed: Nullable(BytesPerSecond),
  etaSeconds: Nullable(Seconds),
  from: Type.String({ description: 'dashboard_session_state.json, the log, or rclone' }),
  forkSays: Nullable(
    Type.Object(
      {
        files: Nullable(Type.Integer({ minimum: 0, description: 'transferred_files: counts each file about twice' })),
        bytes: Nullable(Bytes),
        durationSeconds: Nullable(Seconds),
        differences: Type.Array(Type.String(), { description: 'where the fork’s figures contradict what plowboard measured, in words; plowboard’s figures are the ones above' }),
      },
      { description: 'the fork’s own session figures, shown beside plowboard’s, never instead of them' },
    ),
  ),
});

export const SessionFile = Type.Object(
  {
    ...envelopeFields,
    session: Nullable(Session),
  },
    {
    $id: 'session',
    title: 'plowboard session.json',
    description:
      "The current or last upload session. While one is active, its moving figures (bytes.done, averageSpeed, etaSeconds, durationSeconds) are refreshed at most every half heartbeat, so the file changes when the session's meaning does; live.json's sessionProgress has them at every poll",
  },
);

export type StageParams = Static<typeof StageParams>;
export type Session = Static<typeof Session>;
export type SessionFile = Static<typeof SessionFile>;
