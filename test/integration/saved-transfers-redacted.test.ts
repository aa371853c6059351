import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Transfers } from '../../sidecar/contract/index.js';
import { transferRecord } from '../helpers/fixtures.js';
import { freePort } from '../helpers/ports.js';
import { filesContaining } from '../helpers/secrets.js';
import { readJson, runCli } from '../helpers/sidecarProcess.js';

/**
 * Finished transfers are kept in the state folder across restarts. Ones saved by a
 * plowboard that did not redact yet hold rclone's errors as rclone wrote them: they are
 * redacted as they are read back, not republished.
 */
const work = mkdtempSync(path.join(tmpdir(), 'plowboard-savedredact-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('transfers saved before redaction', () => {
  it('come back with their errors and remotes redacted', async () => {
    const state = path.join(work, 'state');
    const out = path.join(work, 'out');
    mkdirSync(state);
    const completedAt = new Date(Date.now() - 60_000).toISOString();
    writeFileSync(
      path.join(state, 'transfers.json'),
      JSON.stringify([
        transferRecord('Show/old.mkv', completedAt, {
          ok: false,
          error: 'Post "https://rc:CANsaved1@remote.example/upload?access_token=CANsaved2": connection reset',
          srcFs: ':s3,secret_access_key=CANsaved3:bucket',
        }),
      ]),
    );
    expect(readFileSync(path.join(state, 'transfers.json'), 'utf8')).toContain('CANsaved');
    const r = await runCli(['build', '--rclone-url', `http://127.0.0.1:${await freePort()}`, '--output', out, '--state-dir', state], {}, 60_000);
    expect(r.code, r.stderr).toBe(0);
    const t = readJson<Transfers>(path.join(out, 'data', 'transfers.json')).transfers.find((x) => x.name === 'Show/old.mkv');
    expect(t?.error).toBe('Post "https://[redacted]@remote.example/upload?access_token=[redacted]": connection reset');
    expect(filesContaining(out, 'CANsaved')).toEqual([]);
  });
});
