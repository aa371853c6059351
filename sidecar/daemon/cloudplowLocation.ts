// Owns the health entry for cloudplow's config.json: which one plowboard reads, how it was
// found, and the notes a running sidecar adds when cloudplow now keeps a file elsewhere.
import { launchesFor } from '../config/cloudplowDiscovery.js';
import type { CloudplowLaunch } from '../config/cloudplowLaunch.js';
import { cloudplowLayout, type CloudplowLayout } from '../config/cloudplowLayout.js';
import { layoutDrift } from '../config/layoutDrift.js';
import type { ResolvedConfig } from '../config/schema.js';
import { SourceStatus } from '../sources/sourceStatus.js';

export function cloudplowConfigStatus(config: ResolvedConfig): SourceStatus {
  const status = new SourceStatus('cloudplow-config:config', 'cloudplow-config', 'cloudplow config', config.cloudplow.path ?? '(none found)');
  if (config.cloudplow.found) status.foundBy = config.cloudplow.from;
  for (const [i, other] of (config.cloudplowOthers ?? []).entries()) status.note(`other-${i}`, `not this one: ${other}; --cloudplow-config chooses`);
  if (!config.cloudplow.found) {
    status.fail('missing', 'no cloudplow config.json found', {
      hint: 'plowboard shows rclone only. Point it at cloudplow with --cloudplow-config or CLOUDPLOW_CONFIG.',
    });
  } else if (config.cloudplowProblem) {
    status.fail('error', config.cloudplowProblem, { hint: 'Fix the file; until then the rclone URL falls back to the default.' });
  } else {
    status.ok(null);
  }
  return status;
}

/**
 * Looks at the host for cloudplow again and notes, on the config's status, each file it now
 * keeps elsewhere than `read` (what plowboard reads). True when the notes changed.
 */
export function noteMoves(status: SourceStatus, config: ResolvedConfig, read: CloudplowLayout, launches: () => CloudplowLaunch[], log: (line: string) => void): boolean {
  if (!config.cloudplow.path) return false;
  let later;
  try {
    later = cloudplowLayout({ ...config, cloudplowLaunches: launchesFor(config.cloudplow.path, launches()) });
  } catch (err) {
    log(`plowboard: looking for cloudplow again failed: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
  const drift = later ? layoutDrift(read, later) : [];
  const before = JSON.stringify(status.health().notes ?? []);
  for (const topic of ['cloudplow.log', 'cache.db', 'locks/', 'transfer-stats.jsonl']) status.note(`moved ${topic}`, null);
  for (const line of drift) status.note(`moved ${line.slice(0, line.indexOf(':'))}`, line);
  if (JSON.stringify(status.health().notes ?? []) === before) return false;
  for (const line of drift) log(`plowboard: ${line}`);
  return true;
}
