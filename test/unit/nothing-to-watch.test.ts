import { describe, expect, it } from 'vitest';
import { nothingToWatch } from '../../sidecar/format/nothingToWatch.js';

describe('nothing to watch', () => {
  const cloudplow = (state: string) => ({ kind: 'cloudplow-config', state }) as const;
  const rclone = (state: string, lastOkAt: string | null = null) => ({ kind: 'rclone', state, lastOkAt }) as const;
  type S = Parameters<typeof nothingToWatch>[0];

  it('is said only when no cloudplow config was found and no rclone answers', () => {
    expect(nothingToWatch([cloudplow('missing'), rclone('idle')] as S)).toBe(true);
    expect(nothingToWatch([cloudplow('missing'), rclone('unreachable'), rclone('idle')] as S)).toBe(true);
    // rclone alone is worth watching (bare rclone, no cloudplow), and so is cloudplow between uploads.
    expect(nothingToWatch([cloudplow('missing'), rclone('idle'), rclone('ok')] as S)).toBe(false);
    expect(nothingToWatch([cloudplow('ok'), rclone('idle')] as S)).toBe(false);
    // A config that is there but broken is a different message (the health line says what is wrong).
    expect(nothingToWatch([cloudplow('error'), rclone('idle')] as S)).toBe(false);
  });

  it('is not said once rclone has answered: a bare rclone that stopped between uploads is idle, not nothing', () => {
    expect(nothingToWatch([cloudplow('missing'), rclone('idle', '2026-12-02T09:00:00Z')] as S)).toBe(false);
  });
});
