// N viewers polling the built-in server as the pages do (the pages' own Poller, realPoller.ts),
// and what that costs the sidecar. As a command:
//   npx tsx bench/pollers.ts [--url URL --pid PID] [--pollers 20,200] [--duration 60000]
// Without --url it starts `plowboard run` on a generated cloudplow and a real rclone at a 2 s
// interval, lets it come to rest, and measures its CPU at rest and under each number of pollers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { makeCloudplowFolder } from '../test/helpers/cloudplow.js';
import { freePort, waitFor } from '../test/helpers/ports.js';
import { RcloneDaemon } from '../test/helpers/rclone.js';
import { SidecarProcess } from '../test/helpers/sidecarProcess.js';
import type { PollResult } from './pagePollers.js';
import { cpuSeconds } from './procStats.js';
import { runRealPollers } from './realPoller.js';

/** Every data file some page draws (src/client/pages/*.ts `files`): a viewer of each page at once. */
export const EVERY_PAGE_FILES = ['health', 'config', 'live', 'transfers', 'session', 'accounts', 'logs', 'events', 'history-48h', 'distribution'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A process's CPU over the next `ms`, % of one core: at rest, and under each number of pollers. */
export async function cpuPercentOver(pid: number, ms: number): Promise<number> {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await sleep(ms);
  return ((cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000)) * 100;
}

/** `plowboard run` on a generated cloudplow (100 SAs) and a real rclone, 2 s interval, as a user runs it. */
export async function startRunAtRest(): Promise<{ baseUrl: string; pid: number; stop: () => Promise<void> }> {
  const cp = makeCloudplowFolder({ accounts: 100 });
  const rclone = new RcloneDaemon(path.join(cp.dir, 'rclone-bench'));
  await rclone.start();
  const out = mkdtempSync(path.join(tmpdir(), 'plowboard-pollers-'));
  const port = await freePort();
  const proc = new SidecarProcess(
    ['run', '--cloudplow-config', cp.config, '--rclone-url', rclone.url, '--output', path.join(out, 'output'), '--state-dir', path.join(out, 'state'), '--interval', '2', '--port', String(port)],
    { PLOWBOARD_RCLONE_USER: rclone.user, PLOWBOARD_RCLONE_PASS: rclone.pass },
  ).start();
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor('the pages and data of `run`', async () => (await fetch(`${baseUrl}/`).then((r) => r.status, () => 0)) === 200 && (await fetch(`${baseUrl}/data/index.json`).then((r) => r.status, () => 0)) === 200, 120_000);
  return {
    baseUrl,
    pid: proc.proc!.pid!,
    stop: async () => {
      await proc.stop();
      await rclone.stop();
      rmSync(out, { recursive: true, force: true });
      rmSync(cp.dir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      pid: { type: 'string' },
      pollers: { type: 'string', default: '20,200' },
      duration: { type: 'string', default: '60000' },
      settle: { type: 'string', default: '30000' },
    },
  });
  const counts = values.pollers.split(',').map(Number);
  const durationMs = Number(values.duration);
  const own = values.url ? null : await startRunAtRest();
  const baseUrl = values.url ?? own!.baseUrl;
  const pid = values.pid ? Number(values.pid) : own?.pid;
  try {
    // Start-up work (the first build, the first full reads) is over well within this.
    if (own) await sleep(Number(values.settle));
    const rest = pid ? await cpuPercentOver(pid, durationMs) : undefined;
    const runs: Array<PollResult & { pollers: number; cpuPercent?: number; overRestPercent?: number }> = [];
    for (const pollers of counts) {
      // The pollers' first full loads fall before the window.
      const polling = runRealPollers({ baseUrl, pollers, durationMs: durationMs + 10_000, files: EVERY_PAGE_FILES, spreadMs: 2000 });
      await sleep(10_000);
      const cpuPercent = pid ? await cpuPercentOver(pid, durationMs) : undefined;
      const r = await polling;
      runs.push({ pollers, ...r, ...(cpuPercent !== undefined ? { cpuPercent } : {}), ...(rest !== undefined && cpuPercent !== undefined ? { overRestPercent: cpuPercent - rest } : {}) });
    }
    process.stdout.write(`${JSON.stringify({ baseUrl, durationMs, restCpuPercent: rest, runs }, null, 2)}\n`);
  } finally {
    await own?.stop();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await main();
