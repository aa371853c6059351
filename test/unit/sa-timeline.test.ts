import { describe, expect, it } from 'vitest';
import type { Transfer } from '../../sidecar/contract/index.js';
import { attributeTransfers, saPeriods } from '../../sidecar/normalize/saTimeline.js';
import { logEvent, transferRecord } from '../helpers/fixtures.js';

const at = (hms: string) => `2026-12-02T${hms}.000Z`;
const done = (name: string, hms: string, over: Partial<Transfer> = {}): Transfer => transferRecord(name, at(hms), over);

// The order upstream cloudplow logs a run with one SA change, then a second run.
const events = [
  logEvent('upload_started', at('10:00:00')),
  logEvent('sa_count', at('10:00:00'), { detail: '2' }),
  logEvent('sa_chosen', at('10:00:01'), { account: '1.json' }),
  logEvent('upload_started', at('10:00:01'), { uploader: 'google' }),
  logEvent('trigger_limit', at('10:05:00')),
  logEvent('sa_cycled', at('10:05:01'), { uploader: 'google', account: '2.json' }),
  logEvent('sa_chosen', at('10:05:01'), { account: '2.json' }),
  logEvent('upload_started', at('10:05:02'), { uploader: 'google' }),
  logEvent('upload_finished', at('10:09:00')),
  logEvent('upload_started', at('11:00:00')),
  logEvent('sa_chosen', at('11:00:01'), { account: '2.json' }),
  logEvent('upload_started', at('11:00:02'), { uploader: 'movies' }),
];

describe('which uploader and SA uploaded a file, from the log', () => {
  it('follows the SA through a change and into the next run', () => {
    const out = attributeTransfers([done('a', '10:02:00'), done('b', '10:04:59'), done('c', '10:07:00'), done('d', '11:30:00'), done('e', '10:30:00')], saPeriods(events));
    expect(out.map((t) => [t.name, t.uploader, t.serviceAccount])).toEqual([
      ['a', 'google', '1.json'],
      ['b', 'google', '1.json'],
      ['c', 'google', '2.json'],
      ['d', 'movies', '2.json'],
      // Between runs nothing was uploading: left unknown rather than guessed.
      ['e', null, null],
    ]);
  });

  it('keeps what a record already says (the fork’s rows name their uploader)', () => {
    const [t] = attributeTransfers([done('a', '10:02:00', { uploader: 'other', serviceAccount: '9.json' })], saPeriods(events));
    expect(t).toMatchObject({ uploader: 'other', serviceAccount: '9.json' });
  });
});
