/**
 * `npx tsx bench/memoryIdle.ts [seconds] [viewers]`: resident memory and CPU of `plowboard run`
 * as a user runs it (the real CLI, its built-in server, 120 SA files, the default 2 s
 * interval) against a real `rclone rcd`, first idle, then moving files to `:memory:` under a
 * bandwidth limit with a cloudplow-style log line a second, without and with viewers.
 * `memoryIdle()` is exported for bench/run.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { makeCloudplowFolder, stopProcess, writeLog } from '../test/helpers/cloudplow.js';
import { freePort, waitFor } from '../test/helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../test/helpers/rclone.js';
import { SidecarProcess } from '../test/helpers/sidecarProcess.js';
import { cpuSeconds, summary } from './procStats.js';
import { uploadLog } from './uploadLog.js';

export interface MemoryWindow {
  cpuPercent: number;
  /** Resident memory in MiB, sampled every second over the window. */
  rssMiB: ReturnType<typeof summary>;
  /** The last sample minus the first: growth over the window. */
  rssGrowthMiB: number;
  /** Anonymous resident memory (the JS heap, malloc) at the end of the window. */
  anonMiB: number;
}

export interface MemoryIdleResult {
  accounts: number;
  viewers: number;
  seconds: number;
  idle: MemoryWindow;
  busy: MemoryWindow;
  busyWithViewers: MemoryWindow;
  /** Requests the viewers made, and how many failed. */
  viewerRequests: { total: number; failed: number };
  loadAverage: { start: number[]; end: number[] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function statusMiB(pid: number, field: string): number {
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

async function watch(pid: number, seconds: number): Promise<MemoryWindow> {
  const rss: number[] = [];
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    rss.push(statusMiB(pid, 'VmRSS'));
  }
  const elapsed = (performance.now() - t0) / 1000;
  return { cpuPercent: ((cpuSeconds(pid) - cpu0) / elapsed) * 100, rssMiB: summary(rss), rssGrowthMiB: rss.at(-1)! - rss[0]!, anonMiB: statusMiB(pid, 'RssAnon') };
}

/**
 * A page as the overview runs it: data/index.json every interval with its ETag, and each
 * data file the page draws when the manifest says it changed.
 */
function viewer(root: string, stopAt: () => boolean, count: { total: number; failed: number }): Promise<void> {
  const files = ['health', 'live', 'transfers', 'session', 'accounts', 'logs'];
  const seen = new Map<string, string>();
  let etag = '';
  return (async () => {
    while (!stopAt()) {
      try {
        count.total++;
        const res = await fetch(`${root}data/index.json`, { headers: etag ? { 'if-none-match': etag } : {} });
        if (res.status === 200) {
          etag = res.headers.get('etag') ?? '';
          const manifest = (await res.json()) as { files: Array<{ name: string; changedAt?: string }> };
          for (const name of files) {
            const changedAt = manifest.files.find((f) => f.name === name)?.changedAt;
            if (!changedAt || seen.get(name) === changedAt) continue;
            count.total++;
            const r = await fetch(`${root}data/${name}.json`);
            if (!r.ok) count.failed++;
            await r.arrayBuffer();
            seen.set(name, changedAt);
          }
        } else if (res.status !== 304) count.failed++;
        else await res.arrayBuffer();
      } catch {
        count.failed++;
      }
      await sleep(2000);
    }
  })();
}

export async function memoryIdle(opts: { seconds?: number; viewers?: number; accounts?: number; settleSeconds?: number; env?: Record<string, string> } = {}): Promise<MemoryIdleResult> {
  const seconds = opts.seconds ?? 120;
  const viewers = opts.viewers ?? 20;
  const accounts = opts.accounts ?? 120;
  const start = loadavg();
  const cp = makeCloudplowFolder({ accounts });
  // Between uploads, as most of a day: cloudplow's log tells of the last run, finished an hour ago.
  const hourAgo = Date.now() / 1000 - 3600;
  writeLog(cp.log, [
    ['cloudplow', 'info', 'Starting upload', hourAgo],
    ['cloudplow', 'info', "Uploading '/mnt/local/Media' to remote: google", hourAgo],
    ['cloudplow', 'info', 'Finished upload', hourAgo + 600],
  ]);
  const rclone = new RcloneDaemon(path.join(cp.dir, 'rclone-bench'));
  await rclone.start();
  const out = mkdtempSync(path.join(tmpdir(), 'plowboard-bench-mem-'));
  const port = await freePort();
  const sidecar = new SidecarProcess(
    ['run', '--cloudplow-config', cp.config, '--rclone-url', rclone.url, '--output', out, '--state-dir', `${out}-state`, '--port', String(port)],
    { PLOWBOARD_RCLONE_USER: rclone.user, PLOWBOARD_RCLONE_PASS: rclone.pass, ...opts.env },
  ).start();
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const root = `http://127.0.0.1:${port}/`;
    await waitFor('the first data and pages', async () => (await fetch(`${root}data/index.json`).catch(() => null))?.ok && (await fetch(root).catch(() => null))?.ok, 300_000, 500);
    const pid = sidecar.proc!.pid!;
    // Start-up garbage (the config, the first reads, the site build's child) goes within ~20 s.
    await sleep((opts.settleSeconds ?? 30) * 1000);
    const idle = await watch(pid, seconds);

    // Busy: cloudplow's log says an upload started, then a line a second; rclone moves
    // files to memory at 2 MiB/s, eight at a time as cloudplow's sample extras do.
    const logger = uploadLog(cp.log, { everySeconds: 1, account: '/sa/1.json' });
    stops.push(() => stopProcess(logger));
    const src = path.join(rclone.workDir, 'src');
    // Enough for both busy windows and their lead-ins, with room to spare: eight files in flight throughout.
    const perFile = Math.ceil((2 * 1024 ** 2 * (2 * seconds + 40) * 1.5) / 8);
    makeFiles(src, Array.from({ length: 8 }, (_, i) => [`movie${i}.mkv`, perFile] as [string, number]));
    await rclone.bwlimit('2M');
    await rclone.move(src, ':memory:dst');
    await sleep(10_000);
    const busy = await watch(pid, seconds);

    let stopViewers = false;
    const count = { total: 0, failed: 0 };
    const pages = Array.from({ length: viewers }, (_, i) => sleep(i * 100).then(() => viewer(root, () => stopViewers, count)));
    stops.push(async () => {
      stopViewers = true;
      await Promise.all(pages);
    });
    await sleep(10_000);
    const busyWithViewers = await watch(pid, seconds);
    return { accounts, viewers, seconds, idle, busy, busyWithViewers, viewerRequests: count, loadAverage: { start, end: loadavg() } };
  } finally {
    for (const s of stops.reverse()) await s();
    await sidecar.stop();
    await rclone.stop();
    for (const d of [cp.dir, out, `${out}-state`, sidecar.cwd]) rmSync(d, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const [seconds, viewers] = process.argv.slice(2).map(Number);
  // BENCH_NODE_OPTIONS: V8 flags for the sidecar alone, to compare them (`--max-semi-space-size=1`).
  const env = process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : undefined;
  const r = await memoryIdle({ seconds: seconds || undefined, viewers: Number.isFinite(viewers) ? viewers : undefined, env });
  if (env) console.log(`NODE_OPTIONS=${env.NODE_OPTIONS}`);
  const f1 = (n: number) => (Math.round(n * 10) / 10).toFixed(1);
  const row = (label: string, w: MemoryWindow) =>
    `${label.padEnd(22)} CPU ${f1(w.cpuPercent)} %  RSS ${f1(w.rssMiB.median)} MiB (${f1(w.rssMiB.min)}–${f1(w.rssMiB.max)}, ${w.rssGrowthMiB >= 0 ? '+' : ''}${f1(w.rssGrowthMiB)} over the window)  anon ${f1(w.anonMiB)} MiB`;
  console.log(`${r.accounts} SAs, ${r.seconds} s windows, load ${r.loadAverage.start.map(f1).join(' ')} → ${r.loadAverage.end.map(f1).join(' ')}`);
  console.log(row('idle rclone', r.idle));
  console.log(row('busy, no viewer', r.busy));
  console.log(row(`busy, ${r.viewers} viewers`, r.busyWithViewers));
  console.log(`viewer requests: ${r.viewerRequests.total}, failed ${r.viewerRequests.failed}`);
}
