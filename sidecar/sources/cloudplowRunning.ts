import { discoveryOptions, launchesFor } from '../config/cloudplowDiscovery.js';
import { findCloudplowProcesses } from '../config/cloudplowProcess.js';

/**
 * Whether a cloudplow process reading this config.json runs now, from /proc: null where
 * that cannot be seen (no /proc, another host's cloudplow, look-ups turned off). A lock
 * file whose cloudplow is gone is left over from a crash or a kill, not an upload.
 */
export function cloudplowRunningCheck(configPath: string | null, env: Record<string, string | undefined> = process.env): () => boolean | null {
  const { procRoot } = discoveryOptions(env);
  if (!configPath || !procRoot) return () => null;
  return () => launchesFor(configPath, findCloudplowProcesses(procRoot)).length > 0;
}
