import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Health, HistoryRange, Transfers } from '../../sidecar/contract/index.js';
import { waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';
import { SidecarProcess, readJson } from '../helpers/sidecarProcess.js';

let work: string;
let rclone: RcloneDaemon;
beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-state-corrupt-'));
  rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
});
afterAll(async () => {
  await rclone?.stop();
  rmSync(work, { recursive: true, force: true });
});

/**
 * Every file the sidecar keeps in its state folder (sidecar/daemon/stateFile.ts, daemon/savedState.ts),
 * each broken in its own way: torn by a crash mid-write on a filesystem without rename
 * atomicity, bytes that are no JSON, and JSON of the wrong shape.
 */
const CORRUPT: Record<string, string> = {
  'history.json': '{"version":1,"series":{"total":{"res5s":[[1700000000000,12',
  'transfers.json': '\u0000\u0000\u0000 not json at all',
  'observed-usage.json': '"a string where an object belongs"',
  'sa-refusals.json': '{"version":1,"accounts":{"google\\u00001.json":[[1700000000000,3,0]]},"seen":{"ab',
};

describe('a corrupt state file at start', () => {
  it('is moved aside whole, reported in health.json, and the sidecar starts empty and keeps working', { timeout: 120_000 }, async () => {
    const out = path.join(work, 'out');
    const state = path.join(work, 'state');
    mkdirSync(state, { recursive: true });
    for (const [name, text] of Object.entries(CORRUPT)) writeFileSync(path.join(state, name), text);

    const sidecar = new SidecarProcess(['sidecar', '--rclone-url', rclone.url, '--output', out, '--state-dir', state, '--interval', '0.5'], {
      PLOWBOARD_RCLONE_USER: rclone.user,
      PLOWBOARD_RCLONE_PASS: rclone.pass,
    }).start();
    try {
      const source = await waitFor('the state folder reported', () => {
        const h = readJson<Health>(path.join(out, 'data', 'health.json'));
        return h.sources.find((s) => s.kind === 'state' && s.state === 'error');
      }, 30_000);
      // One message that names each file, and what became of it.
      for (const name of Object.keys(CORRUPT)) expect(source.lastError!.message).toContain(`${name} could not be read back`);
      expect(source.lastError!.message).toMatch(/starting fresh/);
      expect(source.hint).toMatch(/moved aside with a \.corrupt- suffix; nothing else is lost/);

      // Kept, byte for byte, beside where it was: nothing is lost.
      const files = readdirSync(state);
      for (const [name, text] of Object.entries(CORRUPT)) {
        const aside = files.filter((f) => f.startsWith(`${name}.corrupt-`));
        expect(aside, name).toHaveLength(1);
        expect(readFileSync(path.join(state, aside[0]!), 'utf8'), name).toBe(text);
      }

      // Started empty: no finished transfer and no bytes in history but what it sees from now on.
      expect(readJson<Transfers>(path.join(out, 'data', 'transfers.json')).count).toBe(0);
      const total = readJson<HistoryRange>(path.join(out, 'data', 'history-1h.json')).series.find((s) => s.key === 'total');
      expect((total?.bytes ?? []).every((b) => !b)).toBe(true);

      // And keeps working: an upload that starts now is seen through to its finished transfers.
      makeFiles(path.join(work, 'src'), [['a.bin', 300_000], ['b.bin', 300_000]]);
      const job = await rclone.copy(path.join(work, 'src'), path.join(work, 'dst'));
      await rclone.waitJob(job);
      await waitFor('the finished transfers', () => readJson<Transfers>(path.join(out, 'data', 'transfers.json')).count >= 2, 30_000);
    } finally {
      expect(await sidecar.stop('SIGTERM')).toBe(0);
    }
    // The shutdown save wrote whole state files in their place; the corrupt ones are still beside them.
    expect(JSON.parse(readFileSync(path.join(state, 'transfers.json'), 'utf8'))).toHaveLength(2);
    expect(JSON.parse(readFileSync(path.join(state, 'history.json'), 'utf8'))).toHaveProperty('version');
    expect(readdirSync(state).filter((f) => f.includes('.corrupt-'))).toHaveLength(Object.keys(CORRUPT).length);
  });
});
