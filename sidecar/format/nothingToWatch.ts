import type { SourceHealth } from '../contract/index.js';

/**
 * A first start on a machine without cloudplow: no config.json was found and no rclone
 * answers. Everything else on the page would be zeros, so the page and the terminal say
 * this instead, once, with the two ways forward. Shared by the sidecar (terminal) and the
 * overview page, so both say the same.
 */
export function nothingToWatch(sources: readonly Pick<SourceHealth, 'kind' | 'state' | 'lastOkAt'>[]): boolean {
  const noCloudplow = sources.some((s) => s.kind === 'cloudplow-config' && s.state === 'missing');
  // An rclone that has answered since the start is being watched: once it stops (between
  // uploads) the page says rclone is not running, not that there is nothing to watch.
  const noRclone = !sources.some((s) => s.kind === 'rclone' && (s.state === 'ok' || s.lastOkAt !== null));
  return noCloudplow && noRclone;
}

export const NOTHING_TO_WATCH =
  'Nothing to watch: no cloudplow config.json was found and no rclone answers. Point plowboard at cloudplow with --cloudplow-config /path/to/config.json, or run `plowboard demo` (npm run demo) to see it at work.';
