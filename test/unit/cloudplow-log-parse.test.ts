import { describe, expect, it } from 'vitest';
import { eventOf, parseLogLine } from '../../sidecar/normalize/cloudplowLog.js';

const line = (logger: string, func: string, message: string) => `2026-11-22 10:00:05,123 - INFO       - ${logger.padEnd(20)} - ${func.padEnd(30)} - ${message}`;

describe("cloudplow's log lines", () => {
  it('reads the fields of the format, in local time, and rclone’s own stamp inside process lines', () => {
    const l = parseLogLine(line('process', 'execute', '2026/11/22 10:00:04 ERROR : a.mkv: Failed to copy: googleapi: Error 403: User rate limit exceeded'));
    expect(l).toMatchObject({ level: 'INFO', logger: 'process', func: 'execute', rcloneLevel: 'ERROR' });
    expect(l.time).toBe(new Date(2026, 10, 22, 10, 0, 5, 123).toISOString());
    expect(l.rcloneTime).toBe(new Date(2026, 10, 22, 10, 0, 4).toISOString());
    expect(eventOf(l)).toMatchObject({ kind: 'trigger_hit', detail: '403: User rate limit exceeded' });
  });

  it('keeps a line in another shape as a bare message, without control characters, and cuts a huge one', () => {
    expect(parseLogLine('Traceback (most recent call last):\u001b[31m\u0000')).toEqual({ time: null, level: null, logger: null, func: null, message: 'Traceback (most recent call last):[31m' });
    expect(parseLogLine(line('cloudplow', 'x', 'y'.repeat(10_000))).message.length).toBeLessThan(2100);
  });

  it('recognizes the moments that matter', () => {
    const kinds = [
      ['cloudplow', 'Starting upload', { kind: 'upload_started', uploader: null }],
      ['uploader', "Uploading '/mnt/local/Media' to remote: google", { kind: 'upload_started', uploader: 'google', detail: '/mnt/local/Media' }],
      ['cloudplow', 'There is 12 available service accounts', { kind: 'sa_count', detail: '12' }],
      ['uploader', 'Using service account: /opt/sa/07.json', { kind: 'sa_chosen', account: '07.json' }],
      ['cloudplow', 'Upload aborted due to trigger: 403 being met, google is cycling to service_account file: /opt/sa/08.json', { kind: 'sa_cycled', uploader: 'google', account: '08.json', detail: '403' }],
      ['cloudplow', 'Tracked trigger:  0/s, has occurred 3/15 times within 140 seconds', { kind: 'trigger_tracked' }],
      // upload() when rclone was ended for a trigger (exit -9), and the fork's wording of the same moment.
      ['uploader', 'Trigger reached configuration limit.', { kind: 'trigger_limit' }],
      ['uploader', 'Tracked trigger User rate limit exceeded has reached the maximum limit of 3 occurrences within 140 seconds, aborting upload...', { kind: 'trigger_limit', detail: 'User rate limit exceeded' }],
      ['uploader', "Received 'Max Transfer Reached' signal from Rclone.", { kind: 'trigger_limit', detail: 'Max Transfer Reached' }],
      ['cloudplow', 'google is still suspended due to a previously aborted upload. Normal operation in 3 hours at 2026-11-22 13:00:00', { kind: 'uploader_suspended', uploader: 'google', until: new Date(2026, 10, 22, 13).toISOString() }],
      ['cloudplow', 'Upload completed successfully for uploader: google', { kind: 'uploader_done', uploader: 'google', detail: 'completed' }],
      ['cloudplow', 'Upload not completed successfully for uploader: google', { kind: 'uploader_done', uploader: 'google', detail: 'not completed' }],
      ['cloudplow', 'Upload aborted due to trigger: 403 being met, google will continue automatic uploading normally in 25 hours', { kind: 'uploader_suspended', uploader: 'google', detail: '403' }],
      ['process', '2026/11/22 10:00:04 INFO  : Movies/<b>x</b>.mkv: Copied (new)', { kind: 'file_copied', detail: 'Movies/<b>x</b>.mkv' }],
      ['process', '2026/11/22 10:00:05 INFO  : Show/e1.mkv: Moved (server-side)', { kind: 'file_moved', detail: 'Show/e1.mkv' }],
    ] as const;
    for (const [logger, message, expected] of kinds) expect(eventOf(parseLogLine(line(logger, 'f', message))), message).toMatchObject(expected);
    expect(eventOf(parseLogLine(line('cloudplow', 'f', 'Sent notification with Slack')))).toBeNull();
  });
});
