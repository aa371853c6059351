import { describe, expect, it } from 'vitest';
import { normalizeTransferred } from '../../sidecar/normalize/rcloneTransferred.js';
import { LoggedTransfers } from '../../sidecar/state/loggedTransfers.js';
import { TransferLog } from '../../sidecar/state/transferLog.js';
import { logEvent } from '../helpers/fixtures.js';

const inFlight = (name: string, size: number) => ({ instance: 'main', name, size, bytes: size / 2, percentage: 50, speed: 1, speedAvg: 1, eta: 1, group: 'job/1', dstFs: 'gdrive:' });
const rcloneRecord = (name: string, size: number, completed: string) =>
  normalizeTransferred({ transferred: [{ name, size, bytes: size, checked: false, error: '', group: 'job/1', started_at: '2026-12-02T10:00:00.000000001Z', completed_at: completed }] }, 'main');

describe('files known only from rclone’s Copied lines in cloudplow’s log', () => {
  it('become records sized as last seen in flight, with where they went', () => {
    const logged = new LoggedTransfers();
    logged.observe('main', Date.parse('2026-12-02T10:00:05Z'), [inFlight('a.mkv', 4000)]);
    const [t] = logged.fromLog([logEvent('file_copied', '2026-12-02T10:00:06.000Z', { detail: 'a.mkv', account: '3.json' })]);
    expect(t).toMatchObject({ name: 'a.mkv', size: 4000, bytes: 4000, ok: true, instance: 'main', dstFs: 'gdrive:', serviceAccount: '3.json', source: 'cloudplow-log' });
    // A file never seen in flight (it came and went between two polls): its size is not made up.
    expect(logged.fromLog([logEvent('file_copied', '2026-12-02T10:00:06.000Z', { detail: 'tiny.srt' })])[0]).toMatchObject({ size: null, bytes: 0 });
  });

  it('are one transfer with rclone’s record, whichever arrives first, and rclone’s is kept', () => {
    const logged = new LoggedTransfers();
    logged.observe('main', Date.parse('2026-12-02T10:00:05Z'), [inFlight('a.mkv', 4000)]);
    const fromLog = logged.fromLog([logEvent('file_copied', '2026-12-02T10:00:06.000Z', { detail: 'a.mkv', account: '3.json' })]);
    const fromRclone = rcloneRecord('a.mkv', 4000, '2026-12-02T10:00:05.900000000Z');
    for (const [first, second] of [
      [fromLog, fromRclone],
      [fromRclone, fromLog],
    ]) {
      const log = new TransferLog(100);
      expect(log.add(first!)).toHaveLength(1);
      expect(log.add(second!)).toEqual([]);
      expect(log.list()).toHaveLength(1);
      expect(log.list()[0]).toMatchObject({ source: 'rclone', serviceAccount: '3.json' });
    }
  });
});
