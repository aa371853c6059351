import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { DEFAULTS } from '../config/schema.js';
import { startRun, type Running } from '../commands/daemonCommands.js';
import { untilSignal } from '../commands/lifecycle.js';
import { findRclone, INSTALL_RCLONE } from './findRclone.js';
import { writeInstallation } from './installation.js';
import { freePort, portFree } from './ports.js';
import { UploadDriver } from './uploadDriver.js';

export interface DemoFlags {
  host?: string;
  port?: string;
  interval?: string;
  saSeconds?: string;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * `plowboard demo`: a generated cloudplow installation in a temporary folder, a real rclone
 * uploading into memory as cloudplow would drive it, and the normal sidecar and server
 * (run's own code) reading it. Ctrl-C or SIGTERM stops rclone, the upload, the sidecar and
 * the server, and removes the folder.
 */
export async function demoCommand(flags: DemoFlags): Promise<number> {
  const rclone = findRclone();
  if (!rclone) {
    say(`plowboard: ${INSTALL_RCLONE}`);
    return 2;
  }
  const saSeconds = Number(flags.saSeconds ?? process.env.PLOWBOARD_DEMO_SA_SECONDS ?? 60);
  if (!Number.isFinite(saSeconds) || saSeconds < 5) {
    say('plowboard: configuration error: --sa-seconds (PLOWBOARD_DEMO_SA_SECONDS) must be a number of seconds, 5 or more');
    return 2;
  }
  // Listened for from the start, so a Ctrl-C while it starts still cleans up.
  const signal = untilSignal();
  const dir = mkdtempSync(path.join(tmpdir(), 'plowboard-demo-'));
  let driver: UploadDriver | null = null;
  let running: Running | null = null;
  try {
    const host = flags.host ?? process.env.PLOWBOARD_HOST ?? DEFAULTS.host;
    // The usual port if it is free (a real plowboard may have it), else any.
    const wanted = flags.port ?? process.env.PLOWBOARD_PORT;
    const port = wanted ?? String((await portFree(host, DEFAULTS.port)) ? DEFAULTS.port : await freePort(host));
    const rcAddr = `127.0.0.1:${await freePort()}`;
    const user = 'plowboard-demo';
    // Made up here, handed to rclone and the sidecar through their environments, never printed or written out.
    const pass = randomBytes(18).toString('base64url');
    const { inst, quota } = writeInstallation(path.join(dir, 'cloudplow'), rcAddr);
    // There is no cloudplow process to find: without this the sidecar would call the lock left over.
    // And the host's own cloudplow, if any, must not be adopted instead of the demo's.
    process.env.PLOWBOARD_PROC_ROOT = '';
    process.env.PLOWBOARD_SYSTEMD_DIRS = '';
    const config = loadConfig(
      {
        cloudplowConfig: inst.config,
        rcloneUrl: [`http://${rcAddr}`],
        output: path.join(dir, 'output'),
        stateDir: path.join(dir, 'state'),
        host,
        port,
        interval: flags.interval ?? '1',
      },
      { PLOWBOARD_RCLONE_USER: user, PLOWBOARD_RCLONE_PASS: pass },
      dir,
      [],
    );
    driver = new UploadDriver({
      inst,
      quota,
      rclone: { bin: rclone.bin, addr: rcAddr, user, pass },
      saSeconds,
      bwlimit: process.env.PLOWBOARD_DEMO_BWLIMIT || '2M',
      pauseSeconds: 15,
      onProblem: (message) => say(`plowboard demo: ${message}`),
    });
    // The upload and the site build take a few seconds each: side by side.
    const [, run] = await Promise.all([driver.start(), startRun(config, { demo: true })]);
    running = run;
    say(
      `plowboard demo: open ${run.url}/ — a generated cloudplow in ${inst.dir} uploading through rclone ${rclone.version} (${rclone.bin}) into memory, a new SA every ${saSeconds} s; data in ${config.output}. Ctrl-C stops it and removes it all.`,
    );
    await signal;
    // A second Ctrl-C while it cleans up must not leave rclone running and the folder behind.
    const patience = () => say('plowboard demo: stopping rclone and removing the folder…');
    process.on('SIGINT', patience).on('SIGTERM', patience);
    return 0;
  } catch (err) {
    say(`plowboard demo: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    // The upload first, so nothing changes in cloudplow's folder while the sidecar stops.
    await driver?.stop().catch((err: unknown) => say(`plowboard demo: stopping the upload: ${String(err)}`));
    await running?.stop().catch((err: unknown) => say(`plowboard demo: stopping the sidecar: ${String(err)}`));
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  }
}
