import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { loadConfigOnHost, type ConfigFlags } from '../config/load.js';
import type { SourceHealth } from '../contract/index.js';
import { RcloneSource } from '../sources/rclone.js';
import { timingFor } from '../config/timing.js';
import { checkCloudplowFiles } from './checkCloudplow.js';

const WORDS: Record<SourceHealth['state'], string> = {
  ok: 'ok',
  idle: 'idle',
  unreachable: 'UNREACHABLE',
  auth_failed: 'AUTH FAILED',
  auth_required: 'NEEDS RC AUTH',
  error: 'ERROR',
  missing: 'missing',
};

/**
 * `check`: read every source once and say what works. Exit 0 whenever the configuration
 * is valid — rclone being idle between uploads is not a failure — and non-zero when not.
 */
export async function checkCommand(flags: ConfigFlags, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const config = loadConfigOnHost(flags);
  const timing = timingFor(config);
  out(`config     ${config.configFile ?? '(no file: defaults, environment and flags)'}`);
  if (config.cloudplow.found) {
    out(`cloudplow  ${config.cloudplow.path} (${config.cloudplow.from})  ${config.cloudplowProblem ? `ERROR  ${config.cloudplowProblem}` : 'ok'}`);
  } else {
    out('cloudplow  no config.json found — rclone only (use --cloudplow-config or CLOUDPLOW_CONFIG)');
  }
  for (const other of config.cloudplowOthers ?? []) out(`           not this one: ${other} (--cloudplow-config chooses)`);
  await checkCloudplowFiles(config, out);
  for (const instance of config.rclone) {
    const source = new RcloneSource(instance, { ...timing, onPoll: () => {} });
    await source.poll();
    await source.stop();
    const h = source.status.health();
    const latency = h.latencyMs === null ? '—' : `${Math.round(h.latencyMs)} ms`;
    out(`rclone     ${h.name}  ${h.target}  ${WORDS[h.state]}  ${latency}${h.version ? `  rclone ${h.version}` : ''}${h.platform ? ` (${h.platform})` : ''}`);
    if (h.state !== 'ok' && h.lastError && h.state !== 'idle') out(`             ${h.lastError.message}`);
    if (h.hint) out(`             → ${h.hint}`);
    for (const note of h.notes ?? []) out(`             note: ${note}`);
  }
  out(`output     ${config.output}  ${(await writable(config.output)) ? 'writable' : 'NOT WRITABLE'}`);
  return 0;
}

/** The output folder, or the nearest folder above it that exists, must be writable. */
async function writable(dir: string): Promise<boolean> {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      await access(d, constants.W_OK);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(d) === d) return false;
    }
  }
}
