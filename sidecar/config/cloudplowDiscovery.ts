import { realpathSync } from 'node:fs';
import path from 'node:path';
import { launchConfig, type CloudplowLaunch } from './cloudplowLaunch.js';
import { findCloudplowProcesses } from './cloudplowProcess.js';
import { SETTINGS } from './settings.js';
import { findCloudplowUnits } from './systemdUnit.js';

export interface DiscoveryOptions {
  /** null: do not look at running processes. */
  procRoot: string | null;
  systemdDirs: string[];
}

/**
 * Where to look for a running or installed cloudplow. PLOWBOARD_PROC_ROOT points at
 * another /proc (a host's, mounted into a container); PLOWBOARD_SYSTEMD_DIRS is a
 * colon-separated list. Either set to an empty string turns that look-up off.
 */
export function discoveryOptions(env: Record<string, string | undefined> = process.env): DiscoveryOptions {
  const proc = env[SETTINGS.procRoot.env] ?? SETTINGS.procRoot.default;
  const dirs = env[SETTINGS.systemdDirs.env] ?? SETTINGS.systemdDirs.default;
  return {
    procRoot: proc.trim() || null,
    systemdDirs: dirs.split(':').filter((d) => d.trim()),
  };
}

/** Running processes first (they show what cloudplow does now), then systemd units. Never throws. */
export function discoverLaunches(opts: DiscoveryOptions): CloudplowLaunch[] {
  return [...(opts.procRoot ? findCloudplowProcesses(opts.procRoot) : []), ...findCloudplowUnits(opts.systemdDirs)];
}

/** The launches that read this config.json: on a host with two cloudplows, only this one's files count. */
export function launchesFor(configPath: string, launches: CloudplowLaunch[]): CloudplowLaunch[] {
  const want = canonical(configPath);
  return launches.filter((l) => canonical(launchConfig(l)) === want);
}

function canonical(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}
