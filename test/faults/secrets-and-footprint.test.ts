import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Accounts } from '../../sidecar/contract/index.js';
import { dumpJson, fingerprint, makeCloudplowFolder, writeBans, writeLog, type CloudplowFolder } from '../helpers/cloudplow.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';
import { filesContaining } from '../helpers/secrets.js';
import { SidecarProcess, readJson, runCli } from '../helpers/sidecarProcess.js';

const CANARY = 'CANARY7f3a';
const EVIL_UPLOADER = 'up"\\loader=cmd|<b>';
// No backslash in the SA name: cloudplow configs written on Windows use it as a separator.
const EVIL_SA = '=HYPERLINK("x")"<img src=x>.json';
let work: string;
let cp: CloudplowFolder;
let rclone: RcloneDaemon;
const dirs = { cwd: '', home: '', tmp: '', out: '', state: '', snaps: '' };
let before: Record<string, string>;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-secrets-'));
  for (const k of Object.keys(dirs) as Array<keyof typeof dirs>) dirs[k] = path.join(work, k);
  for (const d of [dirs.cwd, dirs.home, dirs.tmp]) mkdirSync(d);
  // Canaries in every config plowboard reads: cloudplow's (Plex token, nzbget URL), the SA
  // files' private keys, plowboard's own (a second rclone's password) and the RC URL.
  cp = makeCloudplowFolder({ accounts: 3, uploader: EVIL_UPLOADER, canary: CANARY });
  writeFileSync(path.join(cp.saDir, EVIL_SA), JSON.stringify({ private_key: `KEY-${CANARY}` }));
  const sa = (n: string) => path.join(cp.saDir, n);
  dumpJson(path.join(cp.dir, 'sa_quota_cache.json'), { [EVIL_UPLOADER]: { [sa(EVIL_SA)]: { bytes: 10 * 1024 ** 3, reset_time: Date.now() / 1000 + 3600 } } });
  writeBans(cp.cacheDb, 'sa_bans', { [EVIL_UPLOADER]: { [sa('1.json')]: Date.now() / 1000 + 600 } });
  writeLog(cp.log, [['cloudplow', 'info', `Starting upload <script>alert(1)</script> =cmd| ${CANARY.slice(0, 3)}`]]);

  rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  makeFiles(path.join(work, 'src'), [['a.mkv', 50_000]]);
  await rclone.waitJob(await rclone.copy(path.join(work, 'src'), path.join(work, 'dst')));
  writeFileSync(path.join(dirs.home, 'second.pass'), `PASS-${CANARY}\n`);
  writeFileSync(
    path.join(dirs.cwd, 'plowboard.json'),
    JSON.stringify({
      rclone: [
        { name: 'main', url: `http://${rclone.user}:${rclone.pass}@127.0.0.1:${rclone.port}` },
        { name: 'second', url: `http://127.0.0.1:${await freePort()}`, user: `USER-${CANARY}`, passFile: path.join(dirs.home, 'second.pass') },
        { name: 'third', url: `http://rc:URLPASS-${CANARY}@127.0.0.1:${await freePort()}` },
      ],
    }),
  );
  before = fingerprint(cp.dir);
});

afterAll(async () => {
  await rclone?.stop();
  rmSync(work, { recursive: true, force: true });
  rmSync(cp.dir, { recursive: true, force: true });
});

const env = () => ({ HOME: dirs.home, TMPDIR: dirs.tmp });
const everything = () => [dirs.out, dirs.state, dirs.snaps, dirs.cwd, dirs.home, dirs.tmp];

describe('secrets, hostile names and where plowboard writes', () => {
  it('runs, builds snapshots, and no password, token, key or user name from any config reaches a file it wrote', async () => {
    const port = await freePort();
    const sidecar = new SidecarProcess(
      ['run', '--config', path.join(dirs.cwd, 'plowboard.json'), '--cloudplow-config', cp.config, '--output', dirs.out, '--state-dir', dirs.state, '--port', String(port), '--interval', '0.5'],
      env(),
      dirs.cwd,
    ).start();
    try {
      await waitFor('accounts with the hostile uploader', () => readJson<Accounts>(path.join(dirs.out, 'data', 'accounts.json')).uploaders.some((u) => u.name === EVIL_UPLOADER), 30_000);
      await waitFor('metrics', () => readFileSync(path.join(dirs.out, 'metrics.prom'), 'utf8').includes('plowboard_sa_used_bytes'));
      // Everything the server would hand out, fetched through it too.
      for (const f of ['data/config.json', 'data/health.json', 'data/index.json', 'data/logs.json']) {
        expect(await (await fetch(`http://127.0.0.1:${port}/${f}`)).text()).not.toContain(CANARY);
      }
    } finally {
      await sidecar.stop();
    }
    const snap = await runCli(['snapshot', '--from', dirs.out, '--out', dirs.snaps], env(), 60_000, dirs.cwd);
    expect(snap.code, snap.stderr).toBe(0);
    const basic = Buffer.from(`${rclone.user}:${rclone.pass}`).toString('base64');
    for (const dir of everything()) {
      for (const needle of [CANARY, rclone.pass, basic]) expect(filesContaining(dir, needle).filter((f) => !f.endsWith('second.pass') && !f.endsWith('plowboard.json')), `${needle} in ${dir}`).toEqual([]);
    }
  });

  it("writes nowhere but its output and state folders (and snapshots where told), and leaves cloudplow's folder byte for byte as it was", () => {
    expect(readdirSync(dirs.cwd).sort()).toEqual(['plowboard.json']);
    expect(readdirSync(dirs.home).sort()).toEqual(['second.pass']);
    expect(readdirSync(dirs.tmp)).toEqual([]);
    expect(fingerprint(cp.dir)).toEqual(before);
  });

  it('keeps hostile uploader and SA names inert in CSV and Prometheus labels', () => {
    const rows = JSON.parse(
      execFileSync('python3', ['-c', 'import csv,json,sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1], newline="")))))', path.join(dirs.out, 'data', 'accounts.csv')], { encoding: 'utf8' }),
    ) as Array<Record<string, string>>;
    const evil = rows.find((r) => r.account!.includes('HYPERLINK'))!;
    expect(evil.account).toBe(`'${EVIL_SA}`);
    expect(evil.uploader).toBe(EVIL_UPLOADER);
    for (const r of rows) for (const v of Object.values(r)) expect(v).not.toMatch(/^[=+\-@\t\r]/);
    const metrics = path.join(dirs.out, 'metrics.prom');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: readFileSync(metrics), encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    // The label value parses back to the exact name.
    const line = readFileSync(metrics, 'utf8').split('\n').find((l) => l.startsWith('plowboard_sa_used_bytes{') && l.includes('HYPERLINK'))!;
    const label = (name: string) => JSON.parse(`"${new RegExp(`${name}="((?:[^"\\\\]|\\\\.)*)"`).exec(line)![1]!}"`) as string;
    expect(label('account')).toBe(EVIL_SA);
    expect(label('uploader')).toBe(EVIL_UPLOADER);
  });
});


