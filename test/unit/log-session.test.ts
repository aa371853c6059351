import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../sidecar/contract/index.js';
import { limitHitsFromLog, sessionFromLog } from '../../sidecar/normalize/logSession.js';
import { logEvent } from '../helpers/fixtures.js';

const ev = (kind: string, time: string, over: Partial<LogEvent> = {}): LogEvent => logEvent(kind, `2026-11-22T${time}.000Z`, over);

describe('the session as the log tells it', () => {
  const events = [
    ev('upload_started', '10:00:00'),
    ev('upload_started', '10:00:01', { uploader: 'google' }),
    ev('sa_count', '10:00:02', { detail: '12' }),
    ev('sa_chosen', '10:00:03', { uploader: 'google', account: '1.json' }),
    ev('trigger_hit', '10:30:00', { detail: '403: User rate limit exceeded' }),
    ev('sa_cycled', '10:30:05', { uploader: 'google', account: '2.json' }),
    ev('upload_finished', '11:00:00', { uploader: 'google' }),
  ];

  it('finds the last session, its uploader, SA count, current SA and end', () => {
    const s = sessionFromLog(events)!;
    expect(s).toEqual({ uploader: 'google', startedAtMs: Date.parse('2026-11-22T10:00:00Z'), account: '2.json', accountsUsed: ['1.json', '2.json'], accountsAvailable: 12, finishedAtMs: Date.parse('2026-11-22T11:00:00Z') });
    expect(sessionFromLog([...events, ev('upload_started', '12:00:00', { uploader: 'google' })])!.finishedAtMs).toBeNull();
    expect(sessionFromLog([])).toBeNull();
  });

  it('blames a limit on the SA that was in use, not the one cycled to', () => {
    const hits = limitHitsFromLog(events);
    expect(hits.map((h) => h.account)).toEqual(['1.json', '1.json']);
    expect(hits[0]).toMatchObject({ uploader: 'google', atMs: Date.parse('2026-11-22T10:30:00Z') });
  });
});

describe('the order cloudplow really logs in', () => {
  it('keeps one session across SA cycles, each announced by "Uploading … to remote", and blames the SA in use', () => {
    const events = [
      ev('upload_started', '10:00:00'),
      ev('sa_count', '10:00:01', { detail: '3' }),
      ev('sa_chosen', '10:00:02', { account: '1.json' }),
      ev('upload_started', '10:00:03', { uploader: 'google' }),
      ev('trigger_hit', '11:00:00'),
      ev('sa_cycled', '11:00:01', { uploader: 'google', account: '2.json' }),
      ev('sa_chosen', '11:00:02', { account: '2.json' }),
      ev('upload_started', '11:00:03', { uploader: 'google' }),
    ];
    expect(sessionFromLog(events)).toEqual({ uploader: 'google', startedAtMs: Date.parse('2026-11-22T10:00:00Z'), account: '2.json', accountsUsed: ['1.json', '2.json'], accountsAvailable: 3, finishedAtMs: null });
    expect(limitHitsFromLog(events).map((h) => [h.account, h.uploader])).toEqual([
      ['1.json', 'google'],
      ['1.json', 'google'],
    ]);
  });
});

describe('a trigger that reached its configured count', () => {
  it('is a limit hit of the SA in use, even when its trigger text is one plowboard does not know', () => {
    const events = [
      ev('sa_chosen', '10:00:02', { account: '1.json' }),
      ev('upload_started', '10:00:03', { uploader: 'google' }),
      ev('trigger_limit', '12:00:00'),
    ];
    expect(limitHitsFromLog(events)).toEqual([{ atMs: Date.parse('2026-11-22T12:00:00Z'), uploader: 'google', account: '1.json' }]);
  });
});
