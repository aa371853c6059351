/**
 * `npx tsx bench/cpuProfile.ts [seconds] [--busy] [--copied-every=2] [--strace] [--no-profile] [--page=kiosk/]`: where
 * `plowboard run` spends its CPU, between uploads (120 SAs, rclone answering, nothing moving,
 * no viewer) or, with `--busy`, during one (eight files moving to `:memory:` under a 2 MiB/s
 * limit, a cloudplow Copied line every 2 s, or every `--copied-every` seconds: a media
 * upload finishes a file every tens of seconds). The real CLI runs under V8's sampling profiler
 * (unless `--no-profile`), and with `--strace` under strace for its system call counts; prints the CPU by thread,
 * self time by function over the window and how often each file was replaced. With `--page`,
 * one Chromium page (1920×1080) shows that page of the site through the window: its browser's
 * CPU and the renderer's own account of where its main thread went (style, layout, script).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, watch } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeCloudplowFolder, stopProcess, writeLog } from '../test/helpers/cloudplow.js';
import { freePort, waitFor } from '../test/helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../test/helpers/rclone.js';
import { SidecarProcess } from '../test/helpers/sidecarProcess.js';
import { cpuSeconds, rssMiB, smapsMiB } from './procStats.js';
import { Viewers, browserCpuDelta } from './viewers.js';
import { uploadLog } from './uploadLog.js';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; endTime: number }

/**
 * How often each file under the output folder is replaced: every atomic write ends in a
 * rename onto the file's own name, which inotify reports (the temp files start with a dot).
 * One watcher per folder: Node 20's recursive watcher on Linux misses renames onto a file it has seen.
 */
function countReplacements(dir: string): { counts: Map<string, number>; close: () => void } {
  const counts = new Map<string, number>();
  const folders = (rel: string): string[] => [rel, ...readdirSync(path.join(dir, rel), { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => folders(path.join(rel, e.name)))];
  const watchers = folders('').map((rel) =>
    watch(path.join(dir, rel), (event, name) => {
      if (event !== 'rename' || !name || name.startsWith('.')) return;
      const file = path.join(rel, name);
      counts.set(file, (counts.get(file) ?? 0) + 1);
    }),
  );
  return { counts, close: () => watchers.forEach((w) => w.close()) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a))) || 120;
const busy = process.argv.includes('--busy');
const copiedEvery = Number(process.argv.find((a) => a.startsWith('--copied-every='))?.slice('--copied-every='.length) ?? 2);
/** strace's ptrace stops make every system call, and the profiler's signals, far dearer: its counts are right, the CPU is not. */
const withStrace = process.argv.includes('--strace');
/** The profiler's own sampling costs CPU: without it, the process's and each thread's CPU are what a user's would be. */
const profile = !process.argv.includes('--no-profile');
const shownPage = process.argv.find((a) => a.startsWith('--page='))?.slice('--page='.length);

/** CPU seconds of a process's main thread, and of the others (libuv's pool, V8's workers…) summed by name. */
function threadSeconds(pid: number): Map<string, number> {
  const by = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // Node 20 names every thread "node": the main one is told apart by its id.
      const name = tid === String(pid) ? 'main thread' : `other ${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))} threads`;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      by.set(name, (by.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return by;
}

const cp = makeCloudplowFolder({ accounts: 120 });
const hourAgo = Date.now() / 1000 - 3600;
writeLog(cp.log, [
  ['cloudplow', 'info', 'Starting upload', hourAgo],
  ['cloudplow', 'info', 'Finished upload', hourAgo + 600],
]);
const rclone = new RcloneDaemon(path.join(cp.dir, 'rclone-bench'));
await rclone.start();
const out = mkdtempSync(path.join(tmpdir(), 'plowboard-bench-prof-'));
const profDir = mkdtempSync(path.join(tmpdir(), 'plowboard-cpuprof-'));
const port = await freePort();
let windowEndsBeforeExit = 0;
const stops: Array<() => Promise<unknown>> = [];
// Node refuses --cpu-prof in NODE_OPTIONS: the CLI is started with it on the command line.
const sidecar = new SidecarProcess(
  ['run', '--cloudplow-config', cp.config, '--rclone-url', rclone.url, '--output', out, '--state-dir', `${out}-state`, '--port', String(port)],
  { PLOWBOARD_RCLONE_USER: rclone.user, PLOWBOARD_RCLONE_PASS: rclone.pass },
  undefined,
  profile ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
).start();
try {
  const root = `http://127.0.0.1:${port}/`;
  await waitFor('the first data and pages', async () => (await fetch(root).catch(() => null))?.ok, 300_000, 500);
  if (busy) {
    const logger = uploadLog(cp.log, { everySeconds: copiedEvery, account: '/sa/1.json' });
    stops.push(() => stopProcess(logger));
    const src = path.join(rclone.workDir, 'src');
    makeFiles(src, Array.from({ length: 8 }, (_, i) => [`movie${i}.mkv`, Math.ceil((2 * 1024 ** 2 * (seconds + 60) * 1.5) / 8)] as [string, number]));
    await rclone.bwlimit('2M');
    await rclone.move(src, ':memory:dst');
  }
  const viewer = shownPage === undefined ? null : await new Viewers().launch();
  if (viewer) stops.push(() => viewer.close());
  await viewer?.open(root + shownPage);
  await sleep(30_000);
  const pid = sidecar.proc!.pid!;
  const cdp = viewer ? await viewer.pages[0]!.context().newCDPSession(viewer.pages[0]!) : null;
  await cdp?.send('Performance.enable');
  const metrics = async () => Object.fromEntries(((await cdp!.send('Performance.getMetrics')).metrics as Array<{ name: string; value: number }>).map((m) => [m.name, m.value]));
  const page0 = cdp ? await metrics() : null;
  const browser0 = viewer?.cpu();
  const strace = withStrace ? spawn('strace', ['-c', '-f', '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] }) : null;
  let straceOut = '';
  strace?.stderr!.on('data', (d: Buffer) => (straceOut += d.toString()));
  const replaced = countReplacements(out);
  const cpu0 = cpuSeconds(pid);
  const threads0 = threadSeconds(pid);
  await sleep(seconds * 1000);
  const cpu = cpuSeconds(pid) - cpu0;
  if (viewer) {
    const b = browserCpuDelta(browser0!, viewer.cpu(), seconds);
    const page1 = await metrics();
    const share = (k: string) => `${k.replace('Duration', '')} ${(((page1[k]! - page0![k]!) / seconds) * 100).toFixed(2)} %`;
    console.log(`the browser showing ${shownPage || 'the overview'}: renderer + GPU ${b.rendererGpu.toFixed(2)} %, all its processes ${b.all.toFixed(2)} %`);
    console.log(`its main thread, by the renderer's account: ${['TaskDuration', 'ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration'].map(share).join(', ')}; ${page1.LayoutCount! - page0!.LayoutCount!} layouts, ${page1.RecalcStyleCount! - page0!.RecalcStyleCount!} style recalculations`);
  }
  const threads = [...threadSeconds(pid)].map(([name, s]) => [name, s - (threads0.get(name) ?? 0)] as const).filter(([, s]) => s > 0);
  replaced.close();
  if (strace) {
    strace.kill('SIGINT');
    await new Promise((r) => strace.once('exit', r));
  }
  console.log(sidecar.stderr.trim());
  console.log(`${busy ? `busy (a Copied line every ${copiedEvery} s)` : 'idle'} CPU ${((cpu / seconds) * 100).toFixed(2)} % over ${seconds} s${profile ? ', with the profiler' : ''}${strace ? ' and strace' : ''}`);
  const m = smapsMiB(pid);
  console.log(`memory at the window's end: resident ${rssMiB(pid).toFixed(1)} MiB, private ${(m.privateClean + m.privateDirty).toFixed(1)} MiB (clean ${m.privateClean.toFixed(1)}, dirty ${m.privateDirty.toFixed(1)}; anonymous ${m.anonymous.toFixed(1)})`);
  console.log(`by thread: ${threads.sort((a, b) => b[1] - a[1]).map(([name, s]) => `${name} ${((s / seconds) * 100).toFixed(2)} %`).join(', ')}`);
  const rewritten = [...replaced.counts].sort((a, b) => b[1] - a[1]);
  const all = rewritten.reduce((n, [, c]) => n + c, 0);
  console.log(`files replaced in the window: ${all} (${((all / seconds) * 60).toFixed(0)} a minute): ${rewritten.length ? rewritten.map(([f, c]) => `${f} ${c}`).join(', ') : 'none'}`);
  if (strace) console.log(straceOut.split('\n').filter((l) => !l.startsWith('strace:')).slice(0, 25).join('\n'));
} finally {
  for (const stop of stops) await stop();
  const stopAt = performance.now();
  await sidecar.stop();
  windowEndsBeforeExit = (performance.now() - stopAt) * 1e3;
  await rclone.stop();
}
const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
if (file) {
  const prof = JSON.parse(readFileSync(path.join(profDir, file), 'utf8')) as Profile;
  // Only the window: samples after it (the stop) are left out by their time from the end.
  const self = new Map<number, number>();
  const total0 = prof.timeDeltas.reduce((a, b) => a + b, 0);
  let at = 0;
  prof.samples.forEach((id, i) => {
    at += prof.timeDeltas[i] ?? 0;
    if (total0 - at > windowEndsBeforeExit + seconds * 1e6 || total0 - at < windowEndsBeforeExit) return;
    self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  });
  const byFn = new Map<string, number>();
  for (const n of prof.nodes) {
    const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\/(node_modules|sidecar|dist)\//, '$1/')}:${n.callFrame.lineNumber}`;
    byFn.set(key, (byFn.get(key) ?? 0) + (self.get(n.id) ?? 0));
  }
  const total = [...byFn.values()].reduce((a, b) => a + b, 0);
  console.log(`profile: ${(total / 1e6).toFixed(1)} s sampled in the window; (program) and (garbage collector) are V8 itself`);
  for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${(v / 1e3).toFixed(0).padStart(8)} ms  ${k}`);
}
for (const d of [cp.dir, out, `${out}-state`, profDir, sidecar.cwd]) rmSync(d, { recursive: true, force: true });
