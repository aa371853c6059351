import { Type, type Static } from '@sinclair/typebox';
import { IsoTime, Nullable, SourceState, envelopeFields } from './common.js';

export const SourceHealth = Type.Object({
  id: Type.String({ description: 'kind:name, unique' }),
  kind: Type.String({ description: 'rclone, cloudplow-config, …' }),
  name: Type.String(),
  target: Type.String({ description: 'URL or path, credentials removed' }),
  state: SourceState,
  since: Nullable(IsoTime),
  lastOkAt: Nullable(IsoTime),
  lastCheckedAt: Nullable(IsoTime),
  latencyMs: Nullable(Type.Number({ minimum: 0 })),
  lastError: Nullable(Type.Object({ at: IsoTime, message: Type.String() })),
  hint: Nullable(Type.String({ description: 'what to do about the current state' })),
  version: Type.Optional(Type.String({ description: 'e.g. the rclone version' })),
  platform: Type.Optional(Type.String({ description: 'where it runs, e.g. rclone\'s os, osVersion and osKernel (1.72+)' })),
  notes: Type.Optional(Type.Array(Type.String(), { description: 'what works only in part, and why; not a failure' })),
  foundBy: Type.Optional(
    Type.String({
      description:
        "how the target was found: e.g. 'override (cloudplowPaths.log)', 'cloudplow process 1234 (--logfile)', 'systemd unit /etc/systemd/system/cloudplow.service (--cachefile)', 'CLOUDPLOW_LOGFILE', 'beside cloudplow.py (cloudplow process 1234)', 'beside config.json'",
    }),
  ),
});

export const OverallState = Type.Union([
  Type.Literal('ok'),
  Type.Literal('idle'),
  Type.Literal('degraded'),
  Type.Literal('error'),
]);

export const Health = Type.Object(
  {
    ...envelopeFields,
    state: OverallState,
    sidecar: Type.Object({ version: Type.String(), startedAt: IsoTime }),
    demo: Type.Optional(
      Type.Boolean({ description: 'true when `plowboard demo` made this: the cloudplow installation and its upload are generated, not real; absent otherwise' }),
    ),
    sources: Type.Array(SourceHealth),
  },
  { $id: 'health', title: 'plowboard health.json', description: 'Each source and its state' },
);

export type SourceHealth = Static<typeof SourceHealth>;
export type OverallState = Static<typeof OverallState>;
export type Health = Static<typeof Health>;
