import { Type, type TSchema } from '@sinclair/typebox';

/**
 * Bumped only on a breaking change (a field removed, renamed or retyped).
 * Additions keep the version: readers must ignore fields they do not know.
 */
export const SCHEMA_VERSION = 1;

export const IsoTime = Type.String({ format: 'date-time', description: 'ISO 8601, UTC' });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const Bytes = Type.Integer({ minimum: 0, description: 'bytes' });
export const BytesPerSecond = Type.Number({ minimum: 0, description: 'bytes per second' });
export const Seconds = Type.Number({ minimum: 0, description: 'seconds' });

export const SourceState = Type.Union(
  [
    Type.Literal('ok'),
    Type.Literal('idle'),
    Type.Literal('unreachable'),
    Type.Literal('auth_failed'),
    Type.Literal('auth_required'),
    Type.Literal('error'),
    Type.Literal('missing'),
  ],
  {
    description:
      'ok: read fine; idle: nothing listening (rclone RC only runs during uploads); unreachable: timeout, no route or DNS; ' +
      'auth_failed: credentials refused (HTTP 401); auth_required: rclone 1.74+ runs this method only when its RC has a user set or --rc-no-auth (HTTP 403); error: a bad answer or a bad file; missing: the file does not exist',
  },
);

/** The two fields every published JSON file starts with, in its schema... */
export const envelopeFields = {
  schemaVersion: Type.Literal(SCHEMA_VERSION),
  generatedAt: IsoTime,
};

/** ...and in the file: the one place a writer takes the version from. */
export function envelope(generatedAt: string): { schemaVersion: typeof SCHEMA_VERSION; generatedAt: string } {
  return { schemaVersion: SCHEMA_VERSION, generatedAt };
}
