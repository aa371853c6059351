import { Type, type Static } from '@sinclair/typebox';
import { Bytes, BytesPerSecond, IsoTime, Nullable, Seconds, envelopeFields } from './common.js';

export const AccountStatus = Type.Union([Type.Literal('active'), Type.Literal('available'), Type.Literal('exhausted'), Type.Literal('banned')], {
  description:
    'active: the session uploads with it now; banned: cloudplow will not use it before bannedUntil; exhausted: under 1 GiB left or a limit hit observed in this window; available: otherwise',
});

/** The daily quota of one service account, as the settings resolved it (--sa-quota) and accounts.json publishes it. */
export const SaQuota = Type.Object({
  bytesPerAccount: Bytes,
  label: Type.String({ description: 'e.g. "750 GiB"' }),
  unit: Type.Union([Type.Literal('GiB'), Type.Literal('GB')]),
  windowHours: Type.Number({ minimum: 1 }),
  from: Type.String({ description: 'where the quota came from' }),
});

export const Account = Type.Object({
  name: Type.String({ description: 'the SA file’s base name, e.g. 12.json; untrusted text' }),
  path: Nullable(Type.String({ description: 'full path of the SA file, where known' })),
  usedBytes: Bytes,
  quotaBytes: Bytes,
  remainingBytes: Bytes,
  percent: Type.Number({ minimum: 0, description: 'used of quota, may pass 100' }),
  firstUploadAt: Nullable(IsoTime),
  resetAt: Nullable(IsoTime),
  status: AccountStatus,
  bannedUntil: Nullable(IsoTime),
  limitHitAt: Nullable(IsoTime),
  sources: Type.Object(
    {
      used: Type.String({
        description:
          'sa_quota_cache.json (the fork), expired (counted as reset), "observed by plowboard since <day>" (upstream cloudplow keeps no quota file: what plowboard saw the SA upload in its window, kept across restarts), or none',
      }),
      status: Type.String({ description: 'what decided the status' }),
    },
    { description: 'where each figure came from' },
  ),
});

export const Pool = Type.Object({
  accounts: Type.Integer({ minimum: 0 }),
  usableNow: Type.Integer({ minimum: 0 }),
  exhausted: Type.Integer({ minimum: 0 }),
  banned: Type.Integer({ minimum: 0 }),
  capacityLeftBytes: Bytes,
  nextResetAt: Nullable(IsoTime),
  // Optional, and no longer written: they moved with every history sample while a session
  // uploaded, so accounts.json (its largest file) was rewritten every poll. The rate is live.json's
  // poolRate; how long the pool lasts is capacityLeftBytes / poolRate.bytesPerSecond, worked out
  // by the reader (the pages, the snapshot, metrics.prom).
  throughputBytesPerSecond: Type.Optional(
    Type.Number({ minimum: 0, description: "no longer written: see live.json's poolRate, which holds the rate this pool drains at" }),
  ),
  lastsSeconds: Type.Optional(
    Type.Union([Seconds, Type.Null()], { description: "no longer written: capacityLeftBytes / live.json's poolRate.bytesPerSecond" }),
  ),
});

export const Uploader = Type.Object({
  name: Type.String(),
  remote: Nullable(Type.String()),
  serviceAccountPath: Nullable(Type.String()),
  bannedUntil: Nullable(IsoTime),
  accounts: Type.Array(Account),
  pool: Pool,
});

export const Accounts = Type.Object(
  {
    ...envelopeFields,
    quota: SaQuota,
    uploaders: Type.Array(Uploader),
    pool: Pool,
  },
  { $id: 'accounts', title: 'plowboard accounts.json', description: 'Service accounts per uploader: quota used, reset, status, bans; pool totals' },
);

export type AccountStatus = Static<typeof AccountStatus>;
export type SaQuota = Static<typeof SaQuota>;
export type Account = Static<typeof Account>;
export type Pool = Static<typeof Pool>;
export type Uploader = Static<typeof Uploader>;
export type Accounts = Static<typeof Accounts>;
