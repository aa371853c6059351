import { describe, expect, it } from 'vitest';
import type { Session } from '../../sidecar/contract/index.js';
import { withProgress } from '../../sidecar/format/sessionProgress.js';

const session = (active: boolean): Session => ({
  uploader: 'google',
  active,
  evidence: [],
  flagActive: null,
  account: { index: 1, of: 2, name: '1.json' },
  accountsUsed: [],
  stage: { number: null, params: null },
  uploadFolder: null,
  startedAt: '2026-12-07T20:00:00.000Z',
  endedAt: active ? null : '2026-12-07T20:10:00.000Z',
  durationSeconds: 600,
  files: { done: 3, total: 10 },
  bytes: { done: 3_000, total: 10_000 },
  averageSpeed: 5,
  etaSeconds: 1_400,
  from: 'rclone',
  forkSays: null,
});
const progress = { filesDone: 4, bytesDone: 4_500, averageSpeed: 7, etaSeconds: 790 };

describe('an active session shown with live.json’s progress', () => {
  it('takes the moving figures of this poll and keeps the rest', () => {
    const s = withProgress(session(true), { sessionProgress: progress })!;
    expect(s.files).toEqual({ done: 4, total: 10 });
    expect(s.bytes).toEqual({ done: 4_500, total: 10_000 });
    expect([s.averageSpeed, s.etaSeconds]).toEqual([7, 790]);
    expect(s.account.name).toBe('1.json');
  });

  it('leaves an ended session’s final figures, and a session without progress, as they are', () => {
    const ended = session(false);
    expect(withProgress(ended, { sessionProgress: progress })).toBe(ended);
    const active = session(true);
    expect(withProgress(active, { sessionProgress: null })).toBe(active);
    expect(withProgress(active, null)).toBe(active);
    expect(withProgress(null, { sessionProgress: progress })).toBeNull();
  });
});
