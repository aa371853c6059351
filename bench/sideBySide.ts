import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stopProcess } from '../test/helpers/cloudplow.js';
import { freePort, waitFor } from '../test/helpers/ports.js';
import { RcloneDaemon } from '../test/helpers/rclone.js';
import { SidecarProcess } from '../test/helpers/sidecarProcess.js';
import { RcCounter, WireCounter } from './counters.js';
import { forkInstallation, inFlight, startBusyUpload, startForkDashboard } from './installation.js';
import { forkPage, get, repeatedAsk, runPagePollers, type PollResult } from './pagePollers.js';
import { LONG_RUNNING_FLAGS, startFloors, startHttpFloor, type FloorName } from './nodeFloor.js';
import { summary, watchMany, type Watched } from './procStats.js';
import { runRealPollers } from './realPoller.js';
import { Viewers, browserCpuDelta } from './viewers.js';

export type Side = 'plowboard' | 'fork';
/** What the overview draws (src/client/pages/overview.ts `files`): the page the Chromium viewers open. */
const OVERVIEW_FILES = ['health', 'live', 'transfers', 'session', 'accounts', 'logs', 'events'];
export const SIDES: Side[] = ['plowboard', 'fork'];

export interface ServerWindow {
  cpuPercent: number;
  rssMiB: { median: number; max: number };
  /** Memory the process alone holds (procStats.privateMiB): RSS less the shared pages of its interpreter's binary. */
  privateMiB: { median: number; max: number };
  rcPerMinute: number;
  /** Bytes the server sent, per minute, through the socket counter in front of it. */
  downPerMinute: number;
  /** Requests in the window by path, and answers by status, as the socket counter read them. */
  asked: Record<string, number>;
  answered: Record<string, number>;
  /** Connections the viewers opened in the window. */
  connections: number;
}

export interface Window {
  label: string;
  seconds: number;
  servers: Record<Side, ServerWindow>;
  /** core/stats' `transferring` length at the window's start and end. */
  inFlight: [number, number];
  viewers?: { side: Side; page: string; count: number; visible: number; browser?: { rendererGpu: number; all: number } };
  pollers?: { side: Side; count: number; result: PollResult };
  loadavg: number[];
}

/** Node.js doing nothing and polling rclone with undici: the first two over the idle window, the 2 s poller over the busy one (nodeFloor.ts). */
export type FloorFigures = Record<FloorName, { cpuPercent: number; rssMiB: number; privateMiB: number }>;

/** A bare Node.js HTTP server under the emulated viewers' request rate (nodeFloor.ts startHttpFloor). */
export interface HttpFloor {
  cpuPercent: number;
  privateMiB: number;
  /** What the floor's load asked, and what plowboard's emulated viewers asked, per second. */
  requestsPerSecond: number;
  askedPerSecond: number;
  errors: number;
}

export interface SideBySideOptions {
  windowSeconds: number;
  accounts: number;
  transfers: number;
  bytesPerSecond: number;
  viewerCounts: number[];
  pollers: number;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * plowboard (`plowboard run`: sidecar and built-in server) and the cloudplow fork's Flask
 * dashboard side by side, in one run: the same rclone (each behind its own counting
 * proxy), the same cloudplow installation and state files, measured in the same windows.
 * Viewers are real Chromium pages and are put on one server at a time; the other server
 * meanwhile stands for "no viewer".
 */
export async function sideBySide(opts: SideBySideOptions): Promise<{ windows: Window[]; floor: FloorFigures; httpFloor: HttpFloor; transfers: number; accounts: number; bytesPerSecond: number; plowboardPage: string; forkRequestsAsked: Record<string, number> }> {
  const { log } = opts;
  const work = mkdtempSync(path.join(tmpdir(), 'plowboard-bench-side-'));
  const rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  const auth = `Basic ${Buffer.from(`${rclone.user}:${rclone.pass}`).toString('base64')}`;
  const rc = { plowboard: await new RcCounter(rclone.port, auth).start(), fork: await new RcCounter(rclone.port, auth).start() };
  const ports = { plowboard: await freePort(), fork: await freePort() };
  const cp = forkInstallation(opts.accounts, ports.fork, rc.fork.url);
  const plowboard = new SidecarProcess(
    ['run', '--cloudplow-config', cp.config, '--rclone-url', rc.plowboard.url, '--output', path.join(work, 'out'), '--state-dir', path.join(work, 'state'), '--port', String(ports.plowboard)],
    { PLOWBOARD_RCLONE_USER: rclone.user, PLOWBOARD_RCLONE_PASS: rclone.pass },
    undefined,
    // As deploy/plowboard.service and the Docker image start it (bin/ can add them itself only on Node ≥ 22.15).
    LONG_RUNNING_FLAGS,
  ).start();
  const stops: Array<() => Promise<unknown>> = [];
  let floor: FloorFigures;
  try {
    const fork = await startForkDashboard(cp.dir, ports.fork);
    stops.push(() => stopProcess(fork));
    await waitFor('plowboard', () => fetch(`http://127.0.0.1:${ports.plowboard}/data/index.json`).then((r) => r.ok, () => false));
    const wire = { plowboard: await new WireCounter(ports.plowboard).start(), fork: await new WireCounter(ports.fork).start() };
    stops.push(() => wire.plowboard.stop(), () => wire.fork.stop());
    const pids = { plowboard: plowboard.proc!.pid!, fork: fork.pid! };
    const urls = { plowboard: `${wire.plowboard.url}/`, fork: `${wire.fork.url}/` };
    const windows: Window[] = [];

    const measure = async (label: string, extra: Partial<Window> = {}, viewers?: Viewers, during?: () => Promise<PollResult>): Promise<Window> => {
      log(`window: ${label}`);
      const startInFlight = await inFlight(rclone);
      for (const s of SIDES) (rc[s].reset(), wire[s].reset());
      const cpu0 = viewers?.cpu();
      const [procs] = await Promise.all([watchMany(pids, opts.windowSeconds), during?.()]);
      const counts = Object.fromEntries(SIDES.map((s) => [s, { rc: rc[s].count, down: wire[s].down, asked: Object.fromEntries(wire[s].asked), answered: Object.fromEntries(wire[s].answered), connections: wire[s].connections }])) as Record<
        Side,
        { rc: number; down: number; asked: Record<string, number>; answered: Record<string, number>; connections: number }
      >;
      const browser = viewers && cpu0 ? browserCpuDelta(cpu0, viewers.cpu(), opts.windowSeconds) : undefined;
      const perMinute = (n: number) => (n / opts.windowSeconds) * 60;
      const w: Window = {
        label,
        seconds: opts.windowSeconds,
        servers: Object.fromEntries(
          SIDES.map((s) => {
            const r = summary(procs[s]!.rss);
            const m = summary(procs[s]!.private);
            return [s, { cpuPercent: procs[s]!.cpuPercent, rssMiB: { median: r.median, max: r.max }, privateMiB: { median: m.median, max: m.max }, rcPerMinute: perMinute(counts[s].rc), downPerMinute: perMinute(counts[s].down), asked: counts[s].asked, answered: counts[s].answered, connections: counts[s].connections }];
          }),
        ) as Record<Side, ServerWindow>,
        inFlight: [startInFlight, await inFlight(rclone)],
        loadavg: (await import('node:os')).loadavg(),
        ...extra,
      };
      if (w.viewers && browser) w.viewers.browser = browser;
      windows.push(w);
      return w;
    };

    // The floors run beside plowboard in the idle and busy windows: the same moment, the same rclone.
    const floors = startFloors(rclone.url, auth);
    stops.push(() => floors.stop());
    const floorFigures = (seen: Record<string, Watched>) => Object.fromEntries(Object.entries(seen).map(([name, w]) => [name, { cpuPercent: w.cpuPercent, rssMiB: summary(w.rss).median, privateMiB: summary(w.private).median }]));
    await sleep(Math.min(20, opts.windowSeconds) * 1000);
    const idleFloors = watchMany({ nodeBare: floors.pids.nodeBare, nodeUndici: floors.pids.nodeUndici }, opts.windowSeconds);
    await measure('idle: rclone answering, nothing moving, no viewer');
    floor = floorFigures(await idleFloors) as FloorFigures;

    log(`busy: ${opts.transfers} transfers`);
    // Twice the windows' own length: on a loaded machine opening 20 pages takes minutes, and the files must outlast the run.
    const busy = await startBusyUpload(rclone, cp, opts.transfers, opts.bytesPerSecond, 2 * (opts.windowSeconds * (4 + opts.viewerCounts.length * 2) + 60));
    stops.unshift(() => busy.stop());
    await sleep(10_000);
    const busyFloor = watchMany({ nodeUndiciActive: floors.pids.nodeUndiciActive }, opts.windowSeconds);
    await measure('busy, no viewer');
    Object.assign(floor, floorFigures(await busyFloor));
    await floors.stop();

    const withViewers = async (side: Side, page: string, n: number) => {
      const v = await new Viewers().launch();
      try {
        await v.open(`${urls[side]}${page}`, n);
        // The pages' first loads and first charts are not what a viewer costs over time.
        await sleep(10_000);
        await measure(`busy, ${n} ${side} viewer${n === 1 ? '' : 's'} (${page || 'its page'})`, { viewers: { side, page: page || '/', count: n, visible: await v.visible() } }, v);
      } finally {
        await v.close();
      }
    };
    for (const n of opts.viewerCounts) for (const side of SIDES) await withViewers(side, '', n);
    await withViewers('plowboard', 'kiosk/', 1);

    for (const side of SIDES) {
      // Through the socket counter, as the browsers; the pollers' first full loads fall before the window.
      const warmMs = 10_000;
      const run = { baseUrl: wire[side].url, pollers: opts.pollers, durationMs: warmMs + opts.windowSeconds * 1000 };
      const polling = side === 'plowboard' ? runRealPollers({ ...run, files: OVERVIEW_FILES, spreadMs: 2000 }) : runPagePollers({ ...run, pattern: forkPage, spreadMs: 3000 });
      await sleep(warmMs);
      const w = await measure(`busy, ${opts.pollers} emulated ${side} pollers`, { pollers: { side, count: opts.pollers, result: { requests: 0, errors: 0, bytes: 0, p50Ms: 0, p99Ms: 0 } } }, undefined, () => polling);
      w.pollers!.result = await polling;
      await sleep(5000);
    }
    // Node.js's own floor under those requests: as many a second, from as many viewers, to a
    // server that answers each with live.json as plowboard sent it and does nothing else.
    const emulated = windows.find((w) => w.pollers?.side === 'plowboard')!;
    const asked = Object.values(emulated.servers.plowboard.asked).reduce((a, b) => a + b, 0);
    const sample = await get(new http.Agent(), new URL(urls.plowboard), '/data/live.json', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    const answerer = await startHttpFloor(Object.fromEntries(Object.entries(sample.headers).map(([k, v]) => [k, String(v)])), sample.raw);
    stops.push(() => answerer.stop());
    const PER_POLL = 6;
    const periodMs = (PER_POLL / (asked / opts.pollers / opts.windowSeconds)) * 1000;
    log(`window: the HTTP floor, ${opts.pollers} emulated viewers asking ${PER_POLL} every ${Math.round(periodMs)} ms`);
    const floorLoad = runPagePollers({ baseUrl: answerer.url, pollers: opts.pollers, durationMs: 10_000 + opts.windowSeconds * 1000, pattern: repeatedAsk('/data/live.json', PER_POLL, periodMs), spreadMs: periodMs });
    await sleep(10_000);
    const watched = (await watchMany({ answerer: answerer.pid }, opts.windowSeconds)).answerer!;
    const floorResult = await floorLoad;
    const httpFloor = { cpuPercent: watched.cpuPercent, privateMiB: summary(watched.private).max, requestsPerSecond: floorResult.requests / (10 + opts.windowSeconds), errors: floorResult.errors, askedPerSecond: asked / opts.windowSeconds };
    return { windows, floor, httpFloor, transfers: opts.transfers, accounts: opts.accounts, bytesPerSecond: opts.bytesPerSecond, plowboardPage: '/', forkRequestsAsked: Object.fromEntries(rc.fork.byPath) };
  } finally {
    for (const s of stops) await s().catch(() => undefined);
    await plowboard.stop();
    await rc.plowboard.stop();
    await rc.fork.stop();
    await rclone.stop();
    rmSync(cp.dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}
