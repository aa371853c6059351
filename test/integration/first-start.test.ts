import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestBrowser, expectCleanPage } from '../helpers/browser.js';
import { makeCloudplowFolder } from '../helpers/cloudplow.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { SidecarProcess, runCli } from '../helpers/sidecarProcess.js';

/** A newcomer's first commands on a machine with neither cloudplow nor (for the demo) rclone. */

const scratch: string[] = [];
const procs: SidecarProcess[] = [];
let browser: TestBrowser | null = null;

afterAll(async () => {
  await browser?.close();
  for (const p of procs) await p.stop('SIGKILL');
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

const tempDir = (prefix: string) => {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  scratch.push(d);
  return d;
};

/** `plowboard run` with its own output and state folders, an rclone URL where nothing listens, and the given flags. */
async function run(extra: string[]) {
  const port = await freePort();
  const out = tempDir('plowboard-first-');
  const proc = new SidecarProcess(['run', '--port', String(port), '--rclone-url', `http://127.0.0.1:${await freePort()}`, '--output', path.join(out, 'output'), '--state-dir', path.join(out, 'state'), ...extra]).start();
  procs.push(proc);
  await waitFor(
    'plowboard run to serve',
    () => {
      if (!proc.running) throw new Error(`run exited: ${proc.stderr}`);
      return proc.stderr.includes(`serving`);
    },
    60_000,
    100,
  );
  return { proc, base: `http://127.0.0.1:${port}/` };
}

describe('plowboard demo without rclone', () => {
  it('says in one line how to install rclone, and exits 2', async () => {
    const emptyPath = tempDir('plowboard-nopath-');
    const r = await runCli(['demo'], { PATH: emptyPath });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/apt install rclone/);
    expect(lines[0]).toMatch(/https:\/\/rclone\.org\/install\//);
  });

  it('exits 2 the same way when PLOWBOARD_DEMO_RCLONE names something that is not rclone', async () => {
    const r = await runCli(['demo'], { PLOWBOARD_DEMO_RCLONE: '/bin/false' });
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/needs rclone/);
  });
});

describe('plowboard run with nothing to watch', () => {
  it('says so in one terminal line and on the overview, with --cloudplow-config and the demo command', { timeout: 120_000 }, async () => {
    const { proc, base } = await run([]);
    const said = await waitFor(
      'the nothing-to-watch line',
      () => {
        const lines = proc.stderr.split('\n').filter((l) => /Nothing to watch/.test(l));
        return lines.length ? lines : null;
      },
      10_000,
      100,
    );
    expect(said).toHaveLength(1);
    expect(said![0]).toMatch(/--cloudplow-config/);
    expect(said![0]).toMatch(/plowboard demo/);

    browser = await new TestBrowser().launch();
    const view = await browser.open(base);
    const item = view.page.locator('#sources li[data-source="nothing"]');
    await item.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await item.textContent();
    expect(text).toMatch(/Nothing to watch/);
    expect(text).toMatch(/--cloudplow-config/);
    expect(text).toMatch(/plowboard demo/);
    // One line: not also a list of everything that is missing.
    expect(await view.page.locator('#sources li').count()).toBe(1);
    expect(await view.page.locator('#demo-banner').isVisible()).toBe(false);
    expectCleanPage(view);
    await view.page.close();
  });

  it('says nothing of the kind once a cloudplow config is found', { timeout: 120_000 }, async () => {
    const cp = makeCloudplowFolder({ accounts: 2 });
    scratch.push(cp.dir);
    const { proc } = await run(['--cloudplow-config', cp.config]);
    // Give it the moment the line would have taken.
    await new Promise((r) => setTimeout(r, 1000));
    expect(proc.stderr).not.toMatch(/Nothing to watch/);
  });
});
