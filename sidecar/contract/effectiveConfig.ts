import { Type, type Static } from '@sinclair/typebox';
import { Nullable, envelopeFields } from './common.js';

export const EffectiveRclone = Type.Object({
  name: Type.String(),
  url: Type.String({ description: 'credentials removed' }),
  auth: Type.Union([Type.Literal('none'), Type.Literal('basic')]),
  credentialsFrom: Nullable(Type.String({ description: 'where the password came from, never the password' })),
});

export const EffectiveConfig = Type.Object(
  {
    ...envelopeFields,
    configFile: Nullable(Type.String()),
    cloudplowConfig: Type.Object({
      path: Nullable(Type.String()),
      found: Type.Boolean(),
      from: Type.String({ description: 'flag, environment, config or discovered' }),
    }),
    output: Type.String(),
    stateDir: Type.String(),
    host: Type.String(),
    port: Type.Integer(),
    intervalSeconds: Type.Number(),
    transfersLimit: Type.Integer(),
    rclone: Type.Array(EffectiveRclone),
  },
  { $id: 'config', title: 'plowboard config.json', description: "plowboard's effective configuration, secrets removed" },
);

export type EffectiveConfig = Static<typeof EffectiveConfig>;
