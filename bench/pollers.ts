// N viewers polling the built-in server the way the pages do (src/client/poller.ts), and what
// that costs the sidecar. As a function for bench/run.ts, and as a command:
//   npx tsx bench/pollers.ts [--url URL --pid PID] [--pollers 20,200] [--interval 2000] [--duration 60000]
// Without --url it starts `plowboard run` on a generated cloudplow and a real rclone at a 2 s
// interval, lets it come to rest, and measures its CPU at rest and under each number of pollers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Client } from 'undici';
import { makeCloudplowFolder } from '../test/helpers/cloudplow.js';
import { freePort, waitFor } from '../test/helpers/ports.js';
import { RcloneDaemon } from '../test/helpers/rclone.js';
import { SidecarProcess } from '../test/helpers/sidecarProcess.js';
import { cpuSeconds } from './procStats.js';

/** Every data file some page draws (src/client/pages/*.ts `files`): a viewer of each page at once. */
export const EVERY_PAGE_FILES = ['health', 'live', 'transfers', 'session', 'accounts', 'logs', 'history-48h', 'config', 'distribution'];

export interface PollersOptions {
  baseUrl: string;
  pollers: number;
  intervalMs: number;
  durationMs: number;
  /** The data files each poller draws, by name; EVERY_PAGE_FILES by default. */
  files?: string[];
  /** The server's process: its CPU over the window is reported. */
  pid?: number;
  /**
   * Polling before the window, not counted (but any failure is): the first polls fetch every
   * file and run the server's code cold, which a viewer that stays for hours pays once. 10 s by default.
   */
  warmupMs?: number;
}

export interface PollersResult {
  pollers: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  /** By HTTP status. */
  statuses: Record<string, number>;
  /** No answer, a status other than 200/304, or a body that is not the JSON it should be. */
  failures: number;
  firstFailures: string[];
  /** The server's CPU over the window, % of one core (with `pid`). */
  cpuPercent?: number;
}

// What Chrome sends: the server picks br.
const ACCEPT_ENCODING = 'gzip, deflate, br, zstd';

const decode = (body: Buffer, coding: string | undefined) => (coding === 'br' ? brotliDecompressSync(body) : coding === 'gzip' ? gunzipSync(body) : body);

/** One browser tab: its own connection and HTTP cache, polling as Poller.tick does. */
class Viewer {
  private readonly client: Client;
  private readonly cache = new Map<string, { etag: string; body: Buffer }>();
  private readonly seen = new Map<string, string>();

  constructor(
    baseUrl: string,
    private readonly files: string[],
    private readonly tally: (status: number | string, detail?: string) => void,
  ) {
    // One connection, kept alive, as a tab's sequential fetches use.
    this.client = new Client(baseUrl, { keepAliveTimeout: 30_000 });
  }

  async tick(): Promise<void> {
    const manifest = JSON.parse((await this.get('data/index.json')).toString()) as { files: Array<{ name: string; changedAt: string | null }> };
    for (const name of this.files) {
      const changedAt = manifest.files.find((f) => f.name === name)?.changedAt;
      if (!changedAt || this.seen.get(name) === changedAt) continue;
      JSON.parse((await this.get(`data/${name}.json`)).toString());
      this.seen.set(name, changedAt);
    }
  }

  /** `fetch(…, { cache: 'no-cache' })`: revalidate with the ETag held, keep the new copy on a 200. */
  private async get(file: string): Promise<Buffer> {
    const held = this.cache.get(file);
    const res = await this.client.request({
      path: `/${file}`,
      method: 'GET',
      headers: { 'accept-encoding': ACCEPT_ENCODING, ...(held ? { 'if-none-match': held.etag } : {}) },
    });
    const raw = Buffer.from(await res.body.arrayBuffer());
    this.tally(res.statusCode);
    if (res.statusCode === 304 && held) return held.body;
    if (res.statusCode !== 200) throw new Error(`${file}: HTTP ${res.statusCode}`);
    const body = decode(raw, res.headers['content-encoding'] as string | undefined);
    const etag = res.headers.etag as string | undefined;
    if (etag) this.cache.set(file, { etag, body });
    return body;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** `pollers` viewers, their starts spread over one interval, each polling every `intervalMs` for `durationMs`. */
export async function runPollers(opts: PollersOptions): Promise<PollersResult> {
  const statuses: Record<string, number> = {};
  const firstFailures: string[] = [];
  let requests = 0;
  let failures = 0;
  const fail = (detail: string) => {
    failures++;
    if (firstFailures.length < 5) firstFailures.push(detail);
  };
  let measuring = false;
  const tally = (status: number | string) => {
    if (!measuring) return;
    requests++;
    statuses[status] = (statuses[status] ?? 0) + 1;
  };
  const viewers = Array.from({ length: opts.pollers }, () => new Viewer(opts.baseUrl, opts.files ?? EVERY_PAGE_FILES, tally));
  const warmupMs = opts.warmupMs ?? 10_000;
  const end = performance.now() + warmupMs + opts.durationMs;
  let cpu0 = 0;
  let t0 = 0;
  const window = sleep(warmupMs).then(async () => {
    measuring = true;
    cpu0 = opts.pid ? cpuSeconds(opts.pid) : 0;
    t0 = performance.now();
    // No pollers: the same window with nobody polling, to compare with.
    if (opts.pollers === 0) await sleep(opts.durationMs);
  });
  await Promise.all([
    window,
    ...viewers.map(async (v, i) => {
      await sleep((i / opts.pollers) * opts.intervalMs);
      while (performance.now() < end) {
        const started = performance.now();
        await v.tick().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
        await sleep(Math.max(0, Math.min(opts.intervalMs - (performance.now() - started), end - performance.now())));
      }
    }),
  ]);
  const seconds = (performance.now() - t0) / 1000;
  const cpuPercent = opts.pid ? ((cpuSeconds(opts.pid) - cpu0) / seconds) * 100 : undefined;
  await Promise.all(viewers.map((v) => v.close()));
  return { pollers: opts.pollers, seconds, requests, requestsPerSecond: requests / seconds, statuses, failures, firstFailures, ...(cpuPercent !== undefined ? { cpuPercent } : {}) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The sidecar's CPU over `ms` with no viewer: what the pollers' figures are compared with. */
export async function restingCpu(pid: number, ms: number): Promise<number> {
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
      interval: { type: 'string', default: '2000' },
      duration: { type: 'string', default: '60000' },
      settle: { type: 'string', default: '30000' },
    },
  });
  const counts = values.pollers.split(',').map(Number);
  const intervalMs = Number(values.interval);
  const durationMs = Number(values.duration);
  const own = values.url ? null : await startRunAtRest();
  const baseUrl = values.url ?? own!.baseUrl;
  const pid = values.pid ? Number(values.pid) : own?.pid;
  try {
    // Start-up work (the first build, the first full reads) is over well within this.
    if (own) await sleep(Number(values.settle));
    const rest = pid ? await restingCpu(pid, durationMs) : undefined;
    const runs: Array<PollersResult & { overRestPercent?: number }> = [];
    for (const pollers of counts) {
      const r = await runPollers({ baseUrl, pollers, intervalMs, durationMs, pid });
      runs.push({ ...r, ...(rest !== undefined && r.cpuPercent !== undefined ? { overRestPercent: r.cpuPercent - rest } : {}) });
    }
    process.stdout.write(`${JSON.stringify({ baseUrl, intervalMs, durationMs, restCpuPercent: rest, runs }, null, 2)}\n`);
  } finally {
    await own?.stop();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await main();
