/**
 * `npx tsx bench/detail.ts` (`-- --quick` for a short run): plowboard's own figures in
 * detail (work per publish, data file sizes, site build, page weights, serving beside
 * nginx, the kiosk's heap over an hour), written to bench/DETAIL.md. `npm run bench`
 * (bench/run.ts) is the side-by-side with the fork; this one takes over an hour.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { rcloneBin } from '../test/helpers/rcloneVersion.js';
import { cliPath } from '../test/helpers/sidecarProcess.js';
import { cycleWork } from './cycleWork.js';
import { kioskHeap } from './kioskHeap.js';
import { firstChart, pageWeights, rcRequestsWithPages, sampleSite, serving } from './pagesAndServing.js';
import { summary } from './procStats.js';
import { pollFloor, sidecarLoad, writeFloor } from './sidecarLoad.js';

const quick = process.argv.includes('--quick');
const kioskMinutes = Number(process.env.BENCH_KIOSK_MINUTES ?? (quick ? 1 : 60));
const loadSeconds = quick ? 15 : 60;
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const f1 = (n: number) => (Math.round(n * 10) / 10).toString();
const range = (s: { median: number; min: number; max: number }, unit = '') => `${f1(s.median)}${unit} (${f1(s.min)}–${f1(s.max)})`;
const KiB = (n: number) => `${f1(n / 1024)} KiB`;
const version = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout?.split('\n')[0]?.trim() ?? 'not found';

const out: string[] = [];
const started = new Date();
out.push('# plowboard benchmarks in detail', '');
out.push(`Written by \`npx tsx bench/detail.ts${quick ? ' -- --quick' : ''}\` on ${started.toISOString()}. Every figure comes from real parts: the sidecar's own CLI as a child process, a real \`rclone rcd\` copying under a bandwidth limit, cloudplow's files written by python3, Debian's Chromium and nginx. CPU and memory come from \`/proc/PID/stat\` and \`/proc/PID/status\`; a figure is the median of its repetitions with the range in brackets.`, '');
out.push('## Machine', '');
out.push(`- CPU: ${cpus()[0]?.model ?? '?'} × ${cpus().length}`, `- memory: ${f1(totalmem() / 1024 ** 3)} GiB`, `- Node.js ${process.version}, ${version(rcloneBin(), ['version'])}, ${version('chromium', ['--version'])}, ${version('nginx', ['-v']) || spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr.trim()}`);
out.push(`- load average at the start: ${loadavg().map(f1).join(' ')}`, '');

log('work per cycle');
const cycles: Array<[string, Awaited<ReturnType<typeof cycleWork>>]> = [];
for (const [label, accounts, inFlight, days] of [['1× (100 SAs, 50 in flight, 9 days)', 100, 50, 9], ['10× (1,000 SAs, 500 in flight, 90 days)', 1000, 500, 90], ['100× (10,000 SAs, 5,000 in flight, 90 days)', 10_000, 5000, 90]] as const) {
  cycles.push([label, await cycleWork({ accounts, inFlight, days, transfers: 1000, repeats: quick ? 3 : 9 })]);
}

log('sidecar load');
const loads = [await sidecarLoad(1, loadSeconds), await sidecarLoad(10, loadSeconds)];
log('the floor: a bare poller, bare atomic writes');
const floor = await pollFloor(loadSeconds);
const writes = await writeFloor(loadSeconds);

log('site');
const site = await sampleSite(1);
const weights = await pageWeights(site.dir);
const charts = await firstChart(site.dir, quick ? 2 : 5);
const cold: number[] = [];
for (let i = 0; i < (quick ? 2 : 5); i++) {
  const dir = mkdtempSync(path.join(tmpdir(), 'plowboard-bench-build-'));
  const t0 = performance.now();
  execFileSync(process.execPath, [cliPath, 'build', '--output', dir, '--state-dir', `${dir}-state`, '--rclone-url', 'http://127.0.0.1:9'], { stdio: 'ignore' });
  cold.push(performance.now() - t0);
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${dir}-state`, { recursive: true, force: true });
}
// The compiled module, as the sidecar runs it: its worker is a .js file beside it in dist/.
const { buildSiteInChild } = (await import(path.join(process.cwd(), 'dist', 'sidecar', 'site', 'buildInChild.js'))) as typeof import('../sidecar/site/buildInChild.js');
const child: number[] = [];
for (let i = 0; i < (quick ? 2 : 5); i++) child.push((await buildSiteInChild({ outputDir: site.dir, site: { version: 'bench', intervalSeconds: 2, instances: ['default'] } })).durationMs);

log('serving');
const served = await serving(site.dir, quick ? 3 : 10);
log('rclone requests with pages open');
const rc = await rcRequestsWithPages([1, 5, 20], quick ? 15 : 30);
rmSync(site.dir, { recursive: true, force: true });
log(`kiosk for ${kioskMinutes} min`);
const kiosk = await kioskHeap(kioskMinutes);

const [one, ten] = loads as [Awaited<ReturnType<typeof sidecarLoad>>, Awaited<ReturnType<typeof sidecarLoad>>];
out.push('## Results', '');
out.push('| figure | target | 1× | 10× |', '|---|---|---|---|');
out.push(`| sidecar CPU, busy: transfers live, SAs, log lines/s, 2 s interval (1×: 2, 100, 1) | ≤ 0.5 % of one core | ${f1(one.busy.cpuPercent)} % | ${f1(ten.busy.cpuPercent)} % |`);
out.push(`| sidecar CPU, idle | ≤ 0.1 % | ${f1(one.idle.cpuPercent)} % | ${f1(ten.idle.cpuPercent)} % |`);
out.push(`| for comparison: a bare Node.js process asking the same idle rclone for core/stats every 2 s (undici), nothing else | — | ${f1(floor.cpuPercent)} % | — |`);
out.push(`| for comparison: a bare Node.js process replacing 3 small files (temp + rename) 1.5 times a second, the busy 1× publish rate, nothing else | — | ${f1(writes.cpuPercent)} % | — |`);
out.push(`| sidecar resident memory, idle / busy | ≤ 80 MB | ${f1(one.idle.rssMiB)} / ${f1(one.busy.rssMiB)} MiB | ${f1(ten.idle.rssMiB)} / ${f1(ten.busy.rssMiB)} MiB |`);
out.push(`| a cloudplow file changes → its data file on disk, p50 / p95 | p95 ≤ 250 ms | ${f1(one.fileToDataMs.median)} / ${f1(one.fileToDataMs.p95)} ms | ${f1(ten.fileToDataMs.median)} / ${f1(ten.fileToDataMs.p95)} ms |`);
out.push(`| rclone starts a transfer → live.json on disk | ≤ interval + 100 ms (2.1 s) | ${range(one.rcloneToLiveMs, ' ms')} | ${range(ten.rcloneToLiveMs, ' ms')} |`, '');

out.push('### Work per publish cycle, in process', '');
out.push('What every publish does: the cloudplow view (accounts, session, distribution, logs), every JSON file serialized, and the three history ranges. The CSVs are made only when their rows change and `metrics.prom` once per 5 s sample; their cost is listed apart.', '');
out.push('| scale | per cycle (target ≤ 50 ms at 10×) | view | JSON | history | transfers.csv | accounts.csv | metrics.prom |', '|---|---|---|---|---|---|---|---|');
for (const [label, c] of cycles) {
  const p = c.partsMs;
  out.push(`| ${label} | ${range(c.cycleMs, ' ms')} | ${f1(p['cloudplow view']!)} | ${f1(p['JSON of live, accounts, session, logs, transfers']!)} | ${f1(p['history ranges']!)} | ${f1(p['transfers.csv']!)} | ${f1(p['accounts.csv']!)} | ${f1(p['metrics.prom']!)} |`);
}
out.push('', '### Each data file (target ≤ 1 MB, ≤ 150 KB gzipped at 10×)', '');
out.push(`| file | ${cycles.map(([l]) => l.split(' ')[0]).join(' | ')} |`, `|---|${cycles.map(() => '---').join('|')}|`);
for (const name of Object.keys(cycles[0]![1].sizes)) out.push(`| ${name} | ${cycles.map(([, c]) => `${KiB(c.sizes[name]!.bytes)} (${KiB(c.sizes[name]!.gzipped)} gz)`).join(' | ')} |`);

out.push('', '### Site and pages', '');
out.push('| figure | target | result |', '|---|---|---|');
out.push(`| site build, cold process (\`plowboard build\`, rclone not running) | ≤ 2 s | ${range(summary(cold), ' ms')} |`);
out.push(`| rebuild, as the running sidecar does it (a child process) | ≤ 300 ms | ${range(summary(child), ' ms')} |`);
out.push(`| rebuild in one warm process (bundle cached) | — | ${f1(site.buildWarmMs)} ms |`);
for (const [page, w] of Object.entries(weights)) out.push(`| first load of \`${page}\` on the wire (gzip and br accepted), built-in server / nginx | ≤ 300 KB | ${KiB(w.builtIn)} / ${KiB(w.nginx)} |`);
for (const [page, s] of Object.entries(charts)) out.push(`| first chart drawn on \`${page}\`, localhost | ≤ 1 s | ${range(s, ' ms')} |`);

out.push('', '### Serving', '');
out.push('| figure | target | built-in server | nginx |', '|---|---|---|---|');
const b = served['built-in server']!;
const n = served.nginx!;
out.push(`| a poll when nothing changed | a 304 under 1 KB | ${b.notModified.status}, ${b.notModified.bytes} B | ${n.notModified.status}, ${n.notModified.bytes} B |`);
out.push(`| 50 concurrent pollers (index.json + live.json, conditional) | requests/s, p50 / p99 | ${b.requestsPerSecond}/s, ${f1(b.p50Ms)} / ${f1(b.p99Ms)} ms, ${b.errors} failed | ${n.requestsPerSecond}/s, ${f1(n.p50Ms)} / ${f1(n.p99Ms)} ms, ${n.errors} failed |`);
out.push(`| rclone RC requests per minute with 1, 5 and 20 pages open | the same for all three | ${rc[1]}, ${rc[5]}, ${rc[20]} | — |`);

out.push('', '### Kiosk', '');
out.push(`The kiosk page at 1920×1080 in Chromium for ${kiosk.minutes} minutes, the sidecar polling a real rclone every 0.5 s while files copy without pause. Heap after a forced collection.`, '');
out.push('| minutes | JS heap | DOM nodes |', '|---|---|---|');
for (const k of kiosk.samples) out.push(`| ${k.minute === 0 ? 'start (20 s in)' : k.minute} | ${k.heapMiB} MiB | ${k.domNodes} |`);
const full = kiosk.samples.find((k) => k.minute >= 10);
if (full && full !== kiosk.end) out.push('', `Once the 10-minute throughput window is full: ${full.heapMiB} MiB at minute ${full.minute}, ${kiosk.end.heapMiB} MiB at minute ${kiosk.end.minute} (${f1(((kiosk.end.heapMiB - full.heapMiB) / (kiosk.end.minute - full.minute)) * 60)} MiB per hour).`);
out.push('', `Load average at the end: ${loadavg().map(f1).join(' ')}.`, '');

writeFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), 'DETAIL.md'), `${out.join('\n')}\n`);
log('wrote bench/DETAIL.md');
