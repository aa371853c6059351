import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestBrowser, expectCleanPage } from '../helpers/browser.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { rcloneBin } from '../helpers/rclone.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { SidecarProcess, runCli } from '../helpers/sidecarProcess.js';

/**
 * `plowboard demo` as a newcomer runs it: the real CLI, a real rclone (the one under test),
 * real SQLite, Chromium on every page; then Ctrl-C, and nothing may be left behind.
 */

/** Every process: pid, parent pid, and its command line (empty for a kernel thread or one that just ended). */
function processes(): Array<{ pid: number; ppid: number; cmdline: string; state: string }> {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // comm may hold spaces and parentheses: the fields after the last ')' are fixed.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.push({ pid: Number(name), ppid: Number(rest[1]), state: rest[0]!, cmdline });
    } catch {
      /* ended while read */
    }
  }
  return out;
}

const alive = (pid: number) => processes().some((p) => p.pid === pid && p.state !== 'Z');

let demo: SidecarProcess | null = null;
/** Every demo a test started: afterAll stops each, so a failed test leaves no demo running. */
const demos: SidecarProcess[] = [];
let browser: TestBrowser | null = null;
const scratch: string[] = [];

afterAll(async () => {
  await browser?.close();
  // A failed test still stops the demo the way a user does, so it cleans up after itself; SIGKILL only if that hangs.
  for (const d of demos) {
    if (d.running) await Promise.race([d.stop('SIGINT'), new Promise((r) => setTimeout(r, 20_000))]);
    await d.stop('SIGKILL');
  }
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

describe('plowboard demo', () => {
  it('shows every page alive on a generated cloudplow and a real rclone, and Ctrl-C leaves nothing behind', { timeout: 240_000 }, async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}/`;
    const started = Date.now();
    // A short SA turn, so the test sees an SA change within its minute.
    demo = new SidecarProcess(['demo', '--port', String(port)], { PLOWBOARD_DEMO_RCLONE: rcloneBin(), PLOWBOARD_DEMO_SA_SECONDS: '15' }).start();
    demos.push(demo);
    const get = async (rel: string) => {
      const res = await fetch(base + rel);
      return { status: res.status, text: await res.text() };
    };
    const json = async (name: string) => JSON.parse((await get(`data/${name}.json`)).text);

    // Alive: the server answers and rclone has files in flight.
    await waitFor(
      'live.json with transfers in flight',
      async () => {
        if (!demo!.running) throw new Error(`the demo exited: ${demo!.stderr}`);
        return (await json('live')).total.inFlight > 0;
      },
      60_000,
      200,
    );
    const aliveAfter = (Date.now() - started) / 1000;
    console.info(`plowboard demo: live after ${aliveAfter.toFixed(1)} s (rclone ${rcloneBin()})`);
    // Ten seconds is the promise on an idle machine; CI runs two rclones' worth of tests side by side.
    expect(aliveAfter).toBeLessThan(20);

    // The line with the URL comes once the site is built too.
    const line = await waitFor('the line with the URL', () => /a generated cloudplow in (\S+)\/cloudplow .* data in (\S+)\. Ctrl-C/.exec(demo!.stderr), 30_000, 100);
    const [, tempDir, outputDir] = line! as unknown as [string, string, string];
    expect(outputDir.startsWith(tempDir)).toBe(true);
    expect(demo.stderr).toContain(base);

    // The rclone it runs, and the password it made up (from rclone's environment, where the demo puts it).
    const rclonesSeen = new Set<number>();
    const noteRclones = () => {
      for (const p of processes()) if (p.ppid === demo!.proc!.pid && /\brclone\b.*\brcd\b/.test(p.cmdline)) rclonesSeen.add(p.pid);
    };
    noteRclones();
    expect(rclonesSeen.size).toBeGreaterThan(0);
    const env = readFileSync(`/proc/${[...rclonesSeen][0]}/environ`, 'utf8').split('\0');
    const pass = env.find((e) => e.startsWith('RCLONE_RC_PASS='))!.slice('RCLONE_RC_PASS='.length);
    expect(pass.length).toBeGreaterThan(16);

    // What a dashboard of a real upload shows.
    // The SA in use shows once the sidecar has read the session file the upload just wrote.
    const statuses: string[] = await waitFor(
      'an active SA in accounts.json',
      async () => {
        const list = (await json('accounts')).uploaders[0].accounts.map((a: { status: string }) => a.status);
        return list.includes('active') ? list : null;
      },
      30_000,
      250,
    );
    expect(statuses).toContain('exhausted');
    expect(statuses).toContain('banned');
    // Every source reads fine: the installation is complete, nothing plowboard looks for is missing.
    const health = await waitFor(
      'every source ok',
      async () => {
        const h = await json('health');
        return h.sources.every((s: { state: string }) => s.state === 'ok') ? h : null;
      },
      30_000,
      250,
    ).catch(async (err: Error) => {
      const h = await json('health');
      throw new Error(`${err.message}: ${JSON.stringify(h.sources.filter((s: { state: string }) => s.state !== 'ok'))}`);
    });
    expect(health.demo).toBe(true);
    expect((await json('index')).demo).toBe(true);

    const transfers = await waitFor(
      'finished transfers with one failed',
      async () => {
        noteRclones();
        const t = await json('transfers');
        return t.failed >= 1 && t.transfers.some((x: { ok: boolean }) => x.ok) ? t : null;
      },
      90_000,
      500,
    );
    const failed = transfers.transfers.find((t: { ok: boolean }) => !t.ok);
    // rclone's own words for a file that changed while it was read.
    expect(failed.error).toMatch(/corrupted on transfer|source file is being updated/);

    const session = await waitFor(
      'an SA change in the session',
      async () => {
        noteRclones();
        const s = (await json('session')).session;
        return s?.active && s.accountsUsed.length >= 2 ? s : null;
      },
      90_000,
      500,
    );
    expect(session.uploader).toBe('google');
    expect(session.from).toBe('dashboard_session_state.json');
    // A new SA is a new rclone, as cloudplow runs it.
    expect(rclonesSeen.size).toBeGreaterThan(1);
    const logs = await json('logs');
    const kinds = new Set(logs.events.map((e: { kind: string }) => e.kind));
    for (const k of ['upload_started', 'sa_chosen', 'file_copied', 'trigger_hit', 'sa_cycled']) expect(kinds, k).toContain(k);

    expectValidOutput(outputDir);
    for (const rel of ['data/transfers.csv', 'data/accounts.csv', 'metrics.prom']) {
      const r = await get(rel);
      expect(r.status, rel).toBe(200);
      expect(r.text.length, rel).toBeGreaterThan(50);
    }
    expect((await get('metrics.prom')).text).toMatch(/^plowboard_/m);

    // A snapshot of the running demo's output, as the README shows it.
    const snapDir = mkdtempSync(path.join(tmpdir(), 'plowboard-demo-snap-'));
    scratch.push(snapDir);
    const snap = await runCli(['snapshot', '--from', outputDir, '--out', snapDir]);
    expect(snap.code, snap.stderr).toBe(0);
    const snapFiles = readdirSync(snapDir);
    expect(snapFiles.some((f) => f.endsWith('.html'))).toBe(true);
    expect(snapFiles.some((f) => f.endsWith('.md'))).toBe(true);

    // Every page, in Chromium, answers and says it is a demo.
    browser = await new TestBrowser().launch();
    for (const page of ['', 'transfers/', 'accounts/', 'queue/', 'history/', 'logs/', 'health/', 'kiosk/']) {
      const res = await fetch(base + page);
      expect(res.status, page).toBe(200);
      const view = await browser.open(base + page);
      await view.page.locator('#demo-banner').waitFor({ state: 'visible', timeout: 15_000 });
      if (page !== 'kiosk/') expect(await view.page.locator('#demo-banner').textContent()).toMatch(/Demo/);
      expectCleanPage(view);
      await view.page.close();
    }

    // The made-up password went to rclone and the sidecar only: not into the output, not to the terminal.
    const leaks: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (readFileSync(p).includes(pass)) leaks.push(p);
      }
    };
    walk(outputDir);
    expect(leaks).toEqual([]);
    expect(demo.stderr + demo.stdout).not.toContain(pass);

    // Ctrl-C: everything stops and the folder goes.
    noteRclones();
    const demoPid = demo.proc!.pid!;
    const code = await Promise.race([demo.stop('SIGINT'), new Promise<string>((r) => setTimeout(() => r('still running after 30 s'), 30_000))]);
    expect(code).toBe(0);
    expect(alive(demoPid)).toBe(false);
    for (const pid of rclonesSeen) expect(alive(pid), `rclone ${pid}`).toBe(false);
    expect(processes().filter((p) => p.cmdline.includes(tempDir))).toEqual([]);
    expect(existsSync(tempDir)).toBe(false);
  });

  it('stops everything and removes its folder on SIGTERM too, as a service manager ends it', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const proc = new SidecarProcess(['demo', '--port', String(port)], { PLOWBOARD_DEMO_RCLONE: rcloneBin() }).start();
    demos.push(proc);
    const line = await waitFor(
      'the line with the URL',
      () => {
        if (!proc.running) throw new Error(`the demo exited: ${proc.stderr}`);
        return /a generated cloudplow in (\S+)\/cloudplow /.exec(proc.stderr);
      },
      60_000,
      100,
    );
    const tempDir = line[1]!;
    const rclones = processes().filter((p) => p.ppid === proc.proc!.pid && /\brclone\b.*\brcd\b/.test(p.cmdline));
    expect(rclones.length).toBe(1);
    const code = await Promise.race([proc.stop('SIGTERM'), new Promise<string>((r) => setTimeout(() => r('still running after 30 s'), 30_000))]);
    expect(code).toBe(0);
    for (const r of rclones) expect(alive(r.pid), `rclone ${r.pid}`).toBe(false);
    expect(processes().filter((p) => p.cmdline.includes(tempDir))).toEqual([]);
    expect(existsSync(tempDir)).toBe(false);
  });
});
