import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../sidecar/contract/index.js';
import { makeCloudplowFolder, writeLog, type CloudplowFolder, type LogEntry } from '../helpers/cloudplow.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { SidecarProcess, readJson } from '../helpers/sidecarProcess.js';

let cp: CloudplowFolder;
let work: string;
let proc: SidecarProcess | null = null;

afterAll(async () => {
  await proc?.stop();
  rmSync(work, { recursive: true, force: true });
  rmSync(cp.dir, { recursive: true, force: true });
});

const stamp = (s: number) => {
  const d = new Date(s * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};
const refusal = (at: number, file: string): LogEntry => ['process', 'info', `${stamp(at)} ERROR : ${file}: Failed to copy: googleapi: Error 403: User rate limit exceeded, userRateLimitExceeded`, at];
const cycle = (at: number, n: number): LogEntry => ['cloudplow', 'info', `Upload aborted due to trigger: Failed to copy: googleapi: Error 403: User rate limit exceeded being met, google is cycling to service_account file: /sa/${n}.json`, at];

async function start(port: number): Promise<SidecarProcess> {
  const p = new SidecarProcess(['sidecar', '--cloudplow-config', cp.config, '--rclone-url', `http://127.0.0.1:${port}`, '--output', path.join(work, 'out'), '--state-dir', path.join(work, 'state'), '--interval', '0.5']).start();
  await waitFor('the first data', () => existsSync(path.join(work, 'out', 'data', 'summary.json')) || !p.running);
  expect(p.running, p.stderr).toBe(true);
  return p;
}
const summary = () => readJson<Summary>(path.join(work, 'out', 'data', 'summary.json'));

describe("SA changes and refusals from cloudplow's log", () => {
  it('are counted once each, at the time they were logged, across a restart that reads the whole log again', async () => {
    cp = makeCloudplowFolder({ accounts: 3 });
    work = mkdtempSync(path.join(tmpdir(), 'plowboard-logcounts-'));
    const port = await freePort();
    const t = Date.now() / 1000 - 3600;
    writeLog(cp.log, [cycle(t, 2), refusal(t + 1, 'a.mkv'), refusal(t + 1, 'b.mkv'), ['cloudplow', 'info', 'Starting upload', t + 2], cycle(t + 60, 3), refusal(t + 61, 'c.mkv')]);

    proc = await start(port);
    const first = await waitFor('the log counted', () => {
      const s = summary();
      return s.periods.last30Days.refusals >= 3 ? s : null;
    });
    expect(first.periods.last30Days).toMatchObject({ saChanges: 2, refusals: 3 });
    // Logged an hour ago: in the buckets of an hour ago, not the one of the read.
    expect(first.periods.today.saChanges + first.periods.yesterday.saChanges).toBe(2);
    expect(await proc.stop()).toBe(0);

    // The same log, read whole again at start, then one new refusal.
    proc = await start(port);
    const restartedAt = Date.now();
    await waitFor('a summary from the restarted sidecar', () => Date.parse(summary().generatedAt) >= restartedAt);
    writeLog(cp.log, [refusal(Date.now() / 1000, 'd.mkv')]);
    const after = await waitFor('the new line counted', () => {
      const s = summary();
      return s.periods.last30Days.refusals >= 4 ? s : null;
    });
    expect(after.periods.last30Days).toMatchObject({ saChanges: 2, refusals: 4 });
  });
});
