import type { OverallState, SourceHealth } from '../contract/index.js';

const FAILING = new Set<SourceHealth['state']>(['unreachable', 'auth_failed', 'auth_required', 'error']);

/**
 * One word for the whole board. rclone being idle is the normal state between uploads,
 * and a cloudplow file that does not exist is normal for a bare-rclone setup: neither is
 * a fault. Anything failing makes it degraded, or error when no rclone answers at all.
 */
export function overallState(sources: readonly SourceHealth[]): OverallState {
  const rclone = sources.filter((s) => s.kind === 'rclone');
  const failing = sources.filter((s) => FAILING.has(s.state));
  if (rclone.length && rclone.every((s) => FAILING.has(s.state))) return 'error';
  if (failing.length) return 'degraded';
  if (rclone.some((s) => s.state === 'ok')) return 'ok';
  return rclone.length ? 'idle' : 'ok';
}
