import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transfers } from '../../sidecar/contract/index.js';
import { waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { SidecarProcess, readJson } from '../helpers/sidecarProcess.js';

const HOSTILE = `=cmd|' -C calc'!A0 "quoted", <img src=x onerror=alert(1)>\nsecond line.mkv`;
// rclone shows control characters in names as Unicode control pictures.
const AS_RCLONE_NAMES_IT = HOSTILE.replace('\n', '\u240a');
let work: string;
let rclone: RcloneDaemon;
let sidecar: SidecarProcess;
let out: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-escape-'));
  out = path.join(work, 'out');
  rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  sidecar = new SidecarProcess(['sidecar', '--rclone-url', rclone.url, '--output', out, '--state-dir', path.join(work, 'state'), '--interval', '0.5'], {
    PLOWBOARD_RCLONE_USER: rclone.user,
    PLOWBOARD_RCLONE_PASS: rclone.pass,
  }).start();
  makeFiles(path.join(work, 'src'), [[HOSTILE, 10_000], ['-minus.mkv', 10_000], ['plain.mkv', 10_000]]);
  await rclone.waitJob(await rclone.copy(path.join(work, 'src'), path.join(work, 'dst')));
  await waitFor('the transfers', () => readJson<Transfers>(path.join(out, 'data', 'transfers.json')).count === 3, 20_000);
  await waitFor('the CSV', () => readFileSync(path.join(out, 'data', 'transfers.csv'), 'utf8').includes('plain.mkv'), 20_000);
});
afterAll(async () => {
  await sidecar?.stop();
  await rclone?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('untrusted file names in every output format', () => {
  it('JSON keeps the exact name', () => {
    const names = readJson<Transfers>(path.join(out, 'data', 'transfers.json')).transfers.map((t) => t.name);
    expect(names).toContain(AS_RCLONE_NAMES_IT);
    expectValidOutput(out);
  });

  it('CSV quotes it and makes formulas inert, as a spreadsheet reads it back', () => {
    // Python's csv module parses the file the way spreadsheet imports do.
    const rows = JSON.parse(
      execFileSync('python3', ['-c', 'import csv,json,sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1], newline="")))))', path.join(out, 'data', 'transfers.csv')], { encoding: 'utf8' }),
    ) as Array<Record<string, string>>;
    expect(rows).toHaveLength(3);
    const names = rows.map((r) => r.name);
    expect(names).toContain(`'${AS_RCLONE_NAMES_IT}`);
    expect(names).toContain(`'-minus.mkv`);
    expect(names).toContain('plain.mkv');
    expect(rows.every((r) => r.ok === 'true')).toBe(true);
    for (const r of rows) for (const v of Object.values(r)) expect(v).not.toMatch(/^[=+@\t\r]/);
  });

  it('metrics.prom passes promtool and parses back', () => {
    const text = readFileSync(path.join(out, 'metrics.prom'), 'utf8');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const line = text.split('\n').find((l) => l.startsWith('plowboard_transfers_completed_total{series="total",result="ok"}'));
    expect(Number(line?.split(' ')[1])).toBe(3);
    expect(text).toMatch(/^plowboard_source_state\{source="rclone:default",kind="rclone",state="ok"\} 1$/m);
    expect(text).not.toContain(rclone.pass);
  });
});
