/**
 * `npm run bench` (`-- --quick` for a short check): plowboard beside the cloudplow fork's
 * Flask dashboard, in one run against the same busy rclone and the same cloudplow state,
 * written to bench/RESULTS.md with bench/NOTES.md after it. About 20 minutes on two cores
 * (`BENCH_WINDOW_SECONDS`, default 80, sets each window; `--quick` makes them 15 s).
 * plowboard's own detailed figures are in bench/detail.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { rcloneBin } from '../test/helpers/rcloneVersion.js';
import { SIDES, sideBySide, type Side, type Window } from './sideBySide.js';

const quick = process.argv.includes('--quick');
const windowSeconds = Number(process.env.BENCH_WINDOW_SECONDS ?? (quick ? 15 : 80));
const viewerCounts = quick ? [1, 5] : [1, 5, 20];
const pollers = quick ? 50 : 200;
const ACCOUNTS = 120;
const TRANSFERS = Number(process.env.BENCH_TRANSFERS ?? 8);
const BYTES_PER_SECOND = 1024 * 1024;
const log = (line: string) => process.stderr.write(`bench: ${new Date().toISOString().slice(11, 19)} ${line}\n`);
const f1 = (n: number) => (Math.round(n * 10) / 10).toLocaleString('en');
const f2 = (n: number) => (Math.round(n * 100) / 100).toString();
const MB = (n: number) => `${f2(n / 1e6)} MB`;
const version = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout?.split('\n')[0]?.trim() ?? 'not found';
const here = path.dirname(new URL(import.meta.url).pathname);
const git = (...args: string[]) => execFileSync('git', args, { cwd: here, encoding: 'utf8' }).trim();

const started = new Date();
const commit = git('rev-parse', '--short', 'HEAD');
const dirty = git('status', '--porcelain', '--', '../sidecar', '../src', '../templates', '../bench') !== '';
const loadStart = loadavg();
log(`side by side, ${windowSeconds} s windows`);
const r = await sideBySide({ windowSeconds, accounts: ACCOUNTS, transfers: TRANSFERS, bytesPerSecond: BYTES_PER_SECOND, viewerCounts, pollers, log });
const loadEnd = loadavg();

const find = (pred: (w: Window) => boolean) => r.windows.find(pred);
const idle = find((w) => w.label.startsWith('idle'))!;
const busy = find((w) => w.label === 'busy, no viewer')!;
const viewed = (side: Side, n: number, page = '/') => find((w) => w.viewers?.side === side && w.viewers.count === n && w.viewers.page === page);
const polled = (side: Side) => find((w) => w.pollers?.side === side)!;
const ratio = (p: number, f: number) => (f > 0 ? `${f2(p / f)}` : p > 0 ? '∞' : '—');
const met = (ok: boolean) => (ok ? 'met' : '**not met**');

const out: string[] = [];
out.push('# plowboard beside the cloudplow fork', '');
out.push(
  `Measured on commit \`${commit}\`${dirty ? ' (with uncommitted changes to the code measured)' : ''}, written by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${started.toISOString()}, ${windowSeconds} s windows.`,
  '',
);
out.push(
  `One run, both dashboards at once: \`plowboard run\` (sidecar and built-in server, default 2 s interval, started with \`--max-semi-space-size=1\` as its systemd unit and Docker image start it) and the cloudplow fork's Flask dashboard (\`dashboard/app.py\`, Debian's python3 and python3-flask, its page polling every 3 s), against the same \`rclone rcd\` — ${r.transfers} files copying under a ${f1(r.bytesPerSecond / 1024 ** 2)} MiB/s limit, \`--transfers ${r.transfers}\` given in the copy's \`_config\` — and the same cloudplow installation: ${r.accounts} service accounts, \`dashboard_session_state.json\`, \`sa_quota_cache.json\` and \`learned_sizes_cache.json\`. In the idle window it is between uploads, as most of a day: the last session ended an hour ago, in the session file and in cloudplow's log. For the busy windows cloudplow starts an upload: a new session, the log's opening lines, then a line every 2 s, the quota and session files rewritten every 10 s. Each server talks to rclone through its own counting proxy, and is reached through its own socket counter.`,
  '',
);
out.push('## Machine', '');
out.push(`- CPU: ${cpus()[0]?.model ?? '?'} × ${cpus().length}; memory ${f1(totalmem() / 1024 ** 3)} GiB`);
out.push(`- Node.js ${process.version}, ${version(rcloneBin(), ['version'])}, ${version('chromium', ['--version'])}, ${version('python3', ['--version'])}`);
out.push(
  `- load average at the start ${loadStart.map(f1).join(' ')}, at the end ${loadEnd.map(f1).join(' ')}. ${
    loadStart[0]! < 1
      ? 'Nothing else ran: the load is the bench\'s own (rclone, both servers, the Chromium pages and pollers on the same two cores).'
      : '**The machine was shared** with other work: absolute CPU figures are high and noisy; the ratios of one window (both servers measured at once) are the steadier reading.'
  }`,
  '',
);

out.push('## Against the targets of #19', '');
out.push('CPU is % of one core (user + system from `/proc/PID/stat` over the window); memory is resident (`VmRSS`) and private (`Private_Clean` + `Private_Dirty` of smaps_rollup: RSS less the pages of the interpreter binary, which every process running it shares and the kernel drops first), median of one sample a second (max in brackets). "computed" marks a figure worked out from measured ones.', '');
out.push('| figure | target (plowboard) | plowboard | fork | plowboard / fork (computed) | target |', '|---|---|---|---|---|---|');
const S = (w: Window | undefined, s: Side) => w?.servers[s];
const row = (label: string, target: string, p: number | undefined, f: number | undefined, unit: string, ok: boolean | null) =>
  out.push(`| ${label} | ${target} | ${p === undefined ? '—' : `${f2(p)}${unit}`} | ${f === undefined ? '—' : `${f2(f)}${unit}`} | ${p !== undefined && f !== undefined ? ratio(p, f) : '—'} | ${ok === null ? '—' : met(ok)} |`);
row('server CPU, idle (rclone answering, nothing moving, no viewer)', '≤ 0.2 %', S(idle, 'plowboard')!.cpuPercent, S(idle, 'fork')!.cpuPercent, ' %', S(idle, 'plowboard')!.cpuPercent <= 0.2);
row(`server CPU, busy, no viewer`, '≤ 0.5 %', S(busy, 'plowboard')!.cpuPercent, S(busy, 'fork')!.cpuPercent, ' %', S(busy, 'plowboard')!.cpuPercent <= 0.5);
for (const n of viewerCounts) {
  const p = S(viewed('plowboard', n), 'plowboard')?.cpuPercent;
  const f = S(viewed('fork', n), 'fork')?.cpuPercent;
  row(`server CPU, busy, ${n} Chromium viewer${n === 1 ? '' : 's'} of its page`, '—', p, f, ' %', null);
}
const top = viewerCounts.at(-1)!;
const addP = S(viewed('plowboard', top), 'plowboard')!.cpuPercent - S(viewed('fork', top), 'plowboard')!.cpuPercent;
const addF = S(viewed('fork', top), 'fork')!.cpuPercent - S(viewed('plowboard', top), 'fork')!.cpuPercent;
row(`CPU ${top} viewers add over no viewer (computed: the same window's other server stands for "no viewer")`, top === 20 ? '≤ 1 %' : '—', addP, addF, ' %', top === 20 ? addP <= 1 : null);
const pp = polled('plowboard');
const pf = polled('fork');
row(`server CPU, busy, ${pollers} emulated viewers (the page's own Poller)`, pollers === 200 ? '< 10 %' : '—', S(pp, 'plowboard')!.cpuPercent, S(pf, 'fork')!.cpuPercent, ' %', pollers === 200 ? S(pp, 'plowboard')!.cpuPercent < 10 : null);
row('resident memory, idle', '≤ 40 MiB', S(idle, 'plowboard')!.rssMiB.median, S(idle, 'fork')!.rssMiB.median, ' MiB', S(idle, 'plowboard')!.rssMiB.median <= 40);
const vp = S(viewed('plowboard', top), 'plowboard')!;
const vf = S(viewed('fork', top), 'fork')!;
row(`resident memory, busy, ${r.accounts} SAs, ${top} viewers (max in the window)`, top === 20 ? '≤ 64 MiB' : '—', vp.rssMiB.max, vf.rssMiB.max, ' MiB', top === 20 ? vp.rssMiB.max <= 64 : null);
row(`resident memory, busy, ${pollers} emulated viewers (max)`, '—', S(pp, 'plowboard')!.rssMiB.max, S(pf, 'fork')!.rssMiB.max, ' MiB', null);
row('private memory, idle (RSS less the interpreter binary\'s shared pages)', '—', S(idle, 'plowboard')!.privateMiB.median, S(idle, 'fork')!.privateMiB.median, ' MiB', null);
row(`private memory, busy, ${r.accounts} SAs, ${top} viewers (max)`, '—', vp.privateMiB.max, vf.privateMiB.max, ' MiB', null);
row(`private memory, busy, ${pollers} emulated viewers (max)`, '—', S(pp, 'plowboard')!.privateMiB.max, S(pf, 'fork')!.privateMiB.max, ' MiB', null);
const kiosk = viewed('plowboard', 1, 'kiosk/')?.viewers?.browser;
const overview = viewed('plowboard', 1)?.viewers?.browser;
const forkPage = viewed('fork', 1)?.viewers?.browser;
row('the viewer\'s browser, 1 page, renderer + GPU processes: plowboard\'s kiosk / the fork\'s page', '≤ the fork\'s', kiosk?.rendererGpu, forkPage?.rendererGpu, ' %', kiosk && forkPage ? kiosk.rendererGpu <= forkPage.rendererGpu : null);
row('the viewer\'s browser, 1 page, every Chromium process: plowboard\'s kiosk / the fork\'s page', '—', kiosk?.all, forkPage?.all, ' %', null);
row('the viewer\'s browser, 1 page, renderer + GPU processes: plowboard\'s overview / the fork\'s page', '—', overview?.rendererGpu, forkPage?.rendererGpu, ' %', null);
row('the viewer\'s browser, 1 page, every Chromium process: plowboard\'s overview / the fork\'s page', '—', overview?.all, forkPage?.all, ' %', null);
out.push('');

out.push('## The floor under the memory and idle targets', '');
out.push(
  'Measured beside both servers: in the idle window a `node` that does nothing and a `node` that asks rclone for `core/stats` through undici (the RC client plowboard is built on) every 10 s, as plowboard does between uploads; in the busy window a `node` that asks every 2 s, as plowboard does during one. All with plowboard\'s `--max-semi-space-size=1` (`bench/nodeFloor.ts`). No Node.js sidecar of this shape can go under the undici rows.',
  '',
);
out.push('| process, idle window | CPU | resident memory (median) | private memory (median) |', '|---|---|---|---|');
const floorRow = (label: string, cpu: number, rss: number, priv: number) => out.push(`| ${label} | ${f2(cpu)} % | ${f1(rss)} MiB | ${f1(priv)} MiB |`);
floorRow('`plowboard run`', S(idle, 'plowboard')!.cpuPercent, S(idle, 'plowboard')!.rssMiB.median, S(idle, 'plowboard')!.privateMiB.median);
floorRow('`node`, nothing to do', r.floor.nodeBare.cpuPercent, r.floor.nodeBare.rssMiB, r.floor.nodeBare.privateMiB);
floorRow('`node` + undici, core/stats every 10 s', r.floor.nodeUndici.cpuPercent, r.floor.nodeUndici.rssMiB, r.floor.nodeUndici.privateMiB);
floorRow('busy window: `plowboard run`, no viewer', S(busy, 'plowboard')!.cpuPercent, S(busy, 'plowboard')!.rssMiB.median, S(busy, 'plowboard')!.privateMiB.median);
floorRow('busy window: `node` + undici, core/stats every 2 s', r.floor.nodeUndiciActive.cpuPercent, r.floor.nodeUndiciActive.rssMiB, r.floor.nodeUndiciActive.privateMiB);
floorRow('the fork (python3 + Flask)', S(idle, 'fork')!.cpuPercent, S(idle, 'fork')!.rssMiB.median, S(idle, 'fork')!.privateMiB.median);
out.push(
  '',
  `plowboard above the undici floor (computed): ${f1(S(idle, 'plowboard')!.rssMiB.median - r.floor.nodeUndici.rssMiB)} MiB, ${f2(S(idle, 'plowboard')!.cpuPercent - r.floor.nodeUndici.cpuPercent)} % of a core; the 40 MiB target is ${f1(40 - r.floor.nodeBare.rssMiB)} MiB above a Node.js process that does nothing.`,
  '',
);

out.push('## rclone and the wire', '');
out.push('| figure | plowboard | fork | plowboard / fork (computed) |', '|---|---|---|---|');
const rcRow = (label: string, p: number | undefined, f: number | undefined) => out.push(`| ${label} | ${p === undefined ? '—' : f1(p)} | ${f === undefined ? '—' : f1(f)} | ${p !== undefined && f !== undefined ? ratio(p, f) : '—'} |`);
rcRow('rclone RC requests per minute, idle, no viewer', S(idle, 'plowboard')!.rcPerMinute, S(idle, 'fork')!.rcPerMinute);
rcRow('rclone RC requests per minute, busy, no viewer', S(busy, 'plowboard')!.rcPerMinute, S(busy, 'fork')!.rcPerMinute);
for (const n of viewerCounts) rcRow(`rclone RC requests per minute, busy, ${n} viewer${n === 1 ? '' : 's'}`, S(viewed('plowboard', n), 'plowboard')?.rcPerMinute, S(viewed('fork', n), 'fork')?.rcPerMinute);
rcRow(`rclone RC requests per minute, busy, ${pollers} emulated viewers`, S(pp, 'plowboard')!.rcPerMinute, S(pf, 'fork')!.rcPerMinute);
const perViewer = (w: Window | undefined, s: Side) => (w?.viewers ? w.servers[s].downPerMinute / w.viewers.count : undefined);
const mbRow = (label: string, p: number | undefined, f: number | undefined) => out.push(`| ${label} | ${p === undefined ? '—' : MB(p)} | ${f === undefined ? '—' : MB(f)} | ${p !== undefined && f !== undefined ? ratio(p, f) : '—'} |`);
for (const n of viewerCounts) mbRow(`bytes the server sent per viewer per minute, ${n} viewer${n === 1 ? '' : 's'} (computed: the socket's count ÷ viewers)`, perViewer(viewed('plowboard', n), 'plowboard'), perViewer(viewed('fork', n), 'fork'));
mbRow('bytes the server sent per minute to the plowboard kiosk, 1 viewer', S(viewed('plowboard', 1, 'kiosk/'), 'plowboard')?.downPerMinute, undefined);
mbRow(`bytes the server sent per emulated viewer per minute, ${pollers} emulated viewers (computed)`, S(pp, 'plowboard')!.downPerMinute / pollers, S(pf, 'fork')!.downPerMinute / pollers);
out.push('');
out.push(`The ${pollers} emulated viewers, over ${windowSeconds} s plus 10 s before the window: plowboard ${pp.pollers!.result.requests} requests, ${pp.pollers!.result.errors} failed, p50 / p99 ${f1(pp.pollers!.result.p50Ms)} / ${f1(pp.pollers!.result.p99Ms)} ms; fork ${pf.pollers!.result.requests} requests, ${pf.pollers!.result.errors} failed, p50 / p99 ${f1(pf.pollers!.result.p50Ms)} / ${f1(pf.pollers!.result.p99Ms)} ms.`, '');

out.push('## What a plowboard viewer asks', '');
out.push(
  `Requests per viewer per minute, by file, read at plowboard's socket counter from the request lines that passed (computed: the window's count ÷ viewers ÷ minutes); the emulated viewers run the page's own Poller (\`bench/realPoller.ts\`). The last rows: answers by status and connections opened, per viewer per minute.`,
  '',
);
{
  const cols = [...viewerCounts.map((n) => ({ label: `${n} Chromium overview${n === 1 ? '' : 's'}`, w: viewed('plowboard', n), n })), { label: `${pollers} emulated`, w: pp, n: pollers }].filter((c) => c.w);
  const rate = (c: (typeof cols)[number], v: number | undefined) => f1(((v ?? 0) / c.n / c.w!.seconds) * 60);
  const paths = [...new Set(cols.flatMap((c) => Object.keys(c.w!.servers.plowboard.asked)))].sort();
  const statuses = [...new Set(cols.flatMap((c) => Object.keys(c.w!.servers.plowboard.answered)))].sort();
  out.push(`| asked | ${cols.map((c) => c.label).join(' | ')} |`, `|---|${cols.map(() => '---|').join('')}`);
  for (const p of paths) out.push(`| \`${p}\` | ${cols.map((c) => rate(c, c.w!.servers.plowboard.asked[p])).join(' | ')} |`);
  for (const st of statuses) out.push(`| answered ${st} | ${cols.map((c) => rate(c, c.w!.servers.plowboard.answered[st])).join(' | ')} |`);
  out.push(`| connections opened | ${cols.map((c) => rate(c, c.w!.servers.plowboard.connections)).join(' | ')} |`);
  // The same process's CPU in the busy window without viewers is the base: a difference of two measured figures over the requests counted.
  const perRequest = (c: (typeof cols)[number]) => {
    const w = c.w!;
    const requests = Object.values(w.servers.plowboard.asked).reduce((a, b) => a + b, 0);
    return requests ? f2((((w.servers.plowboard.cpuPercent - S(busy, 'plowboard')!.cpuPercent) / 100) * w.seconds * 1000) / requests) : '—';
  };
  out.push(`| server CPU per request over the busy window without viewers (computed, ms) | ${cols.map(perRequest).join(' | ')} |`);
  const hf = r.httpFloor;
  out.push(
    '',
    `The floor under these: a bare Node.js HTTP server (\`bench/nodeFloor.ts\` startHttpFloor) answering ${pollers} emulated viewers at the rate plowboard's were measured to ask (${f1(hf.askedPerSecond)} a second; it was asked ${f1(hf.requestsPerSecond)} a second, ${hf.errors} failed), each request with live.json as plowboard sent it (a 200, none conditional), used ${f2(hf.cpuPercent)} % of a core: ${f2(((hf.cpuPercent / 100) * 1000) / hf.requestsPerSecond)} ms a request (computed), private memory ${f1(hf.privateMiB)} MiB at most.`,
  );
  out.push('');
}

out.push('## Every window', '');
out.push('Both servers are measured in every window; viewers are on one of them at a time. "in flight" is the length of core/stats\' `transferring` at the window\'s start and end; "visible" counts the pages whose `document.visibilityState` was `visible` (a hidden page would not poll).', '');
out.push('| window | plowboard CPU | plowboard RSS, private | plowboard RC/min | plowboard sent/min | fork CPU | fork RSS, private | fork RC/min | fork sent/min | in flight | viewers visible | load |', '|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const w of r.windows) {
  const c = (s: Side) => {
    const x = w.servers[s];
    return `${f2(x.cpuPercent)} % | ${f1(x.rssMiB.median)} (${f1(x.rssMiB.max)}) MiB, private ${f1(x.privateMiB.median)} (${f1(x.privateMiB.max)}) | ${f1(x.rcPerMinute)} | ${MB(x.downPerMinute)}`;
  };
  out.push(`| ${w.label} | ${c('plowboard')} | ${c('fork')} | ${w.inFlight.join(' → ')} | ${w.viewers ? `${w.viewers.visible} of ${w.viewers.count}` : '—'} | ${w.loadavg.map(f1).join(' ')} |`);
}
out.push('');
void SIDES;

let notes = '';
try {
  notes = `\n${readFileSync(path.join(here, 'NOTES.md'), 'utf8')}`;
} catch {
  notes = '';
}
writeFileSync(path.join(here, 'RESULTS.md'), `${out.join('\n')}${notes}`);
log('wrote bench/RESULTS.md');
