import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sessionFromLog } from '../../sidecar/normalize/logSession.js';
import { LogFollower } from '../../sidecar/sources/logFollower.js';
import { writeLog, type LogEntry } from '../helpers/cloudplow.js';

const dir = mkdtempSync(path.join(tmpdir(), 'plowboard-longrun-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a run that loops for hours (the fork repeats its stages)', () => {
  it('keeps the run’s start, its SA count and every SA it used, however many events came after', async () => {
    const log = path.join(dir, 'cloudplow.log');
    const t0 = Date.UTC(2026, 11, 2, 8, 0, 0) / 1000;
    const lines: LogEntry[] = [
      ['cloudplow', 'info', 'Starting upload', t0],
      ['cloudplow', 'info', 'There is 3 available service accounts', t0 + 1],
      ['uploader', 'info', 'Using service account: /opt/sa/1.json', t0 + 2],
      ['uploader', 'info', "Uploading '/mnt/local/Media' to remote: google", t0 + 3],
      ['cloudplow', 'info', 'Upload aborted due to trigger: 403 being met, google is cycling to service_account file: /opt/sa/2.json', t0 + 60],
    ];
    // Hundreds of stages, each naming the SA and the remote again, with tracked triggers between.
    for (let i = 0; i < 800; i++) {
      const at = t0 + 120 + i * 10;
      lines.push(['uploader', 'info', 'Using service account: /opt/sa/2.json', at], ['uploader', 'info', "Uploading '/mnt/local/Media' to remote: google", at + 1], ['cloudplow', 'warning', `Tracked trigger: 403 has occurred ${i % 3}/3 times within 600 seconds`, at + 2]);
    }
    // In parts: one call's arguments would be too long for the command line.
    for (let i = 0; i < lines.length; i += 400) writeLog(log, lines.slice(i, i + 400));
    const follower = new LogFollower(log, 200);
    await follower.read();
    const snap = follower.snapshot();
    expect(snap.lines).toHaveLength(200);
    const session = sessionFromLog(snap.events)!;
    expect(session).toMatchObject({ uploader: 'google', startedAtMs: t0 * 1000, account: '2.json', accountsUsed: ['1.json', '2.json'], accountsAvailable: 3, finishedAtMs: null });
  });
});
