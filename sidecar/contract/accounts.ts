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

/** Hours a refusal by Google keeps an SA out of `usable`: Google's quota is a rolling 24 h, and cloudplow's own 403 sleep is about a day. */
export const REFUSED_RECENTLY_HOURS = 24;

export const RefusalCounts = Type.Object({
  rateLimits: Type.Integer({ minimum: 0, description: 'log lines of Google answering 403 "User rate limit exceeded" while this SA uploaded' }),
  bans: Type.Integer({ minimum: 0, description: 'times cloudplow banned this SA after a trigger (its "Upload aborted due to trigger" line)' }),
});

export const SaRefusals = Type.Object(
  {
    last24h: RefusalCounts,
    last7d: RefusalCounts,
    last30d: RefusalCounts,
    lastAt: Nullable(IsoTime),
    lastKind: Nullable(Type.Union([Type.Literal('rate_limit'), Type.Literal('ban')])),
    lastLine: Nullable(Type.String({ description: 'the log message of the last refusal, secrets redacted; untrusted text' })),
    days: Type.Array(
      Type.Object({ day: Type.String({ description: 'UTC day, YYYY-MM-DD' }), rateLimits: Type.Integer({ minimum: 0 }), bans: Type.Integer({ minimum: 0 }) }),
      { description: 'the last 30 UTC days with any refusal, oldest first' },
    ),
  },
  {
    description:
      'What plowboard saw in cloudplow.log, kept across restarts (state folder) and counted once per log line however often the log is read again; counted by the hour, so a window edge is exact to the hour',
  },
);

export const SaHealth = Type.Union([Type.Literal('usable'), Type.Literal('refused'), Type.Literal('no_quota'), Type.Literal('banned')], {
  description: `quota as computed next to what Google did: usable: quota left and no refusal in the last ${REFUSED_RECENTLY_HOURS} h; refused: quota left (or in use) but refused by Google or banned for it by cloudplow in the last ${REFUSED_RECENTLY_HOURS} h; no_quota: under 1 GiB left or a limit hit in this window; banned: cloudplow will not use it before bannedUntil`,
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
  refusals: SaRefusals,
  health: SaHealth,
  healthNote: Type.String({ description: 'the health in words, times in UTC, e.g. "600 GiB left but refused by Google at 2026-12-07 03:12 UTC (14 in 24 h)"' }),
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
  withQuota: Type.Integer({ minimum: 0, description: 'accounts the arithmetic calls usable: at least 1 GiB of quota left and not banned (or in use now)' }),
  usable: Type.Integer({
    minimum: 0,
    description: `accounts really usable (health "usable"): quota left, not banned, no limit hit in this window, and no refusal by Google (nor a ban by cloudplow) in the last ${REFUSED_RECENTLY_HOURS} h. ${REFUSED_RECENTLY_HOURS} h because Google's quota is a rolling day and cloudplow's 403 sleep is about a day: an SA refused within it is likely refused again`,
  }),
  refusedRecently: Type.Integer({ minimum: 0, description: `accounts with quota left but refused in the last ${REFUSED_RECENTLY_HOURS} h (health "refused")` }),
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
export type RefusalCounts = Static<typeof RefusalCounts>;
export type SaRefusals = Static<typeof SaRefusals>;
export type SaHealth = Static<typeof SaHealth>;
export type Pool = Static<typeof Pool>;
export type Uploader = Static<typeof Uploader>;
export type Accounts = Static<typeof Accounts>;
