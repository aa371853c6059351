import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { runCli } from '../helpers/sidecarProcess.js';

/**
 * A password on the command line is in the process list for every user of the host
 * (`ps`, /proc/PID/cmdline): plowboard refuses it at start-up, inside --rclone-url too,
 * and says where to put it instead, without repeating it.
 */
const CANARY = 'CANcliPW7e1';
const work = mkdtempSync(path.join(tmpdir(), 'plowboard-clipw-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('no password on the command line', () => {
  for (const [what, args] of [
    ['sidecar --rclone-url http://u:PASS@host:port', (port: number) => ['sidecar', '--rclone-url', `http://rc:${CANARY}@127.0.0.1:${port}`]],
    ['the default command, name=URL form', (port: number) => ['--rclone-url', `main=http://rc:${CANARY}@127.0.0.1:${port}`]],
    ['check, a second --rclone-url', (port: number) => ['check', '--rclone-url', `http://127.0.0.1:${port}`, '--rclone-url', `other=http://rc:${CANARY}@127.0.0.1:${port + 1}`]],
  ] as const) {
    it(`refuses ${what} with exit 2 and one line that says where the password goes`, async () => {
      const out = path.join(work, `out-${Math.random().toString(36).slice(2)}`);
      const r = await runCli([...args(await freePort()), '--output', out], {}, 30_000);
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^plowboard: configuration error: --rclone-url: refused: a password on the command line/);
      expect(lines[0]).toContain('PLOWBOARD_RCLONE_PASS');
      expect(lines[0]).toContain("plowboard's config file");
      expect(r.stderr + r.stdout).not.toContain(CANARY);
      // Refused before anything ran: nothing written.
      expect(existsSync(out)).toBe(false);
    });
  }

  it('takes the same URL from the environment or the config file, and never shows the password', async () => {
    const port = await freePort();
    const url = `http://rc:${CANARY}@127.0.0.1:${port}`;
    const fromEnv = await runCli(['check', '--output', path.join(work, 'env-out')], { PLOWBOARD_RCLONE_URL: url }, 30_000);
    expect(fromEnv.code, fromEnv.stderr).not.toBe(2);
    expect(fromEnv.stdout).toContain(`http://127.0.0.1:${port}`);
    expect(fromEnv.stdout + fromEnv.stderr).not.toContain(CANARY);

    const file = path.join(work, 'plowboard.json');
    writeFileSync(file, JSON.stringify({ rclone: [{ name: 'main', url }] }));
    const fromFile = await runCli(['check', '--config', file, '--output', path.join(work, 'file-out')], {}, 30_000);
    expect(fromFile.code, fromFile.stderr).not.toBe(2);
    expect(fromFile.stdout).toContain(`http://127.0.0.1:${port}`);
    expect(fromFile.stdout + fromFile.stderr).not.toContain(CANARY);
  });
});
