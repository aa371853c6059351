import { Type, type Static } from '@sinclair/typebox';
import { IsoTime, envelopeFields } from './common.js';

/**
 * The sidecar's pulse, in a file of its own: index.json used to carry it, and so changed on
 * every beat, which made every page fetch the whole manifest again while nothing had moved.
 */
export const Heartbeat = Type.Object(
  {
    ...envelopeFields,
    heartbeatAt: IsoTime,
    heartbeatSeconds: Type.Number({
      minimum: 0,
      description: 'heartbeatAt is refreshed at least this often while the sidecar runs; 0 for a one-off build (heartbeatAt is then the build time and never moves)',
    }),
  },
  {
    $id: 'heartbeat',
    title: 'plowboard heartbeat.json',
    description:
      'When the sidecar last showed it is alive. Poll it directly (a conditional request: a 304 between beats): the sidecar has stopped once heartbeatAt is older than two beats and an interval',
  },
);

export type Heartbeat = Static<typeof Heartbeat>;
