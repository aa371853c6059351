import path from 'node:path';
import type { Live, SourceHealth, Transfers } from '../../sidecar/contract/index.js';
import { freePort, waitFor } from './ports.js';
import type { RcloneDaemon } from './rclone.js';
import { SidecarProcess, readJson } from './sidecarProcess.js';

export interface RcloneSidecar {
  proc: SidecarProcess;
  out: string;
  /** Where `run` serves the pages; null for `sidecar`. */
  base: string | null;
  data: <T = unknown>(name: string) => T;
  live: () => Live;
  transfers: () => Transfers;
  rcloneHealth: () => SourceHealth;
}

/**
 * A sidecar (or `run`, which serves its pages too) polling one real rclone with its
 * credentials, its output and state under `work`; resolves once it reads rclone as ok.
 */
export async function sidecarOnRclone(
  rclone: RcloneDaemon,
  work: string,
  opts: { command?: 'sidecar' | 'run'; interval?: number; extra?: string[] } = {},
): Promise<RcloneSidecar> {
  const out = path.join(work, 'out');
  const port = opts.command === 'run' ? await freePort() : null;
  const args = [opts.command ?? 'sidecar', '--rclone-url', rclone.url, '--output', out, '--state-dir', path.join(work, 'state'), '--interval', String(opts.interval ?? 0.5)];
  if (port) args.push('--port', String(port));
  const proc = new SidecarProcess([...args, ...(opts.extra ?? [])], { PLOWBOARD_RCLONE_USER: rclone.user, PLOWBOARD_RCLONE_PASS: rclone.pass }).start();
  const data = <T = unknown>(name: string) => readJson<T>(path.join(out, 'data', `${name}.json`));
  const s: RcloneSidecar = {
    proc,
    out,
    base: port ? `http://127.0.0.1:${port}/` : null,
    data,
    live: () => data<Live>('live'),
    transfers: () => data<Transfers>('transfers'),
    rcloneHealth: () => data<{ sources: SourceHealth[] }>('health').sources.find((x) => x.kind === 'rclone')!,
  };
  await waitFor(`the sidecar reading rclone at ${rclone.url}`, () => s.rcloneHealth().state === 'ok', 60_000);
  return s;
}
