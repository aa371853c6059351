import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../sidecar/contract/index.js';
import { makeCloudplowFolder, writeLog, type CloudplowFolder } from '../helpers/cloudplow.js';
import { waitFor } from '../helpers/ports.js';
import { passThroughProxy } from '../helpers/passThroughProxy.js';
import { RcloneDaemon } from '../helpers/rclone.js';
import { sidecarOnCloudplow } from '../helpers/sidecarProcess.js';

/**
 * Between uploads an idle rclone is asked every idle interval (5× the interval), not every
 * interval; cloudplow's "Starting upload" (any new line of its log) makes the sidecar ask at
 * once and every interval again, and "Finished upload" lets it rest once the log is quiet. Counted by a pass-through proxy in front of a
 * real rclone, with the log written through cloudplow's own logging format.
 */
const INTERVAL_S = 2;
const IDLE_S = 10;
let cp: CloudplowFolder;
let rclone: RcloneDaemon;
let proxy: http.Server;
/** When each core/stats request reached the proxy. */
const statsAt: number[] = [];

beforeAll(async () => {
  cp = makeCloudplowFolder({ accounts: 3 });
  rclone = new RcloneDaemon(path.join(cp.dir, 'rclone'));
  await rclone.start();
  proxy = await passThroughProxy(rclone.url, (url) => {
    if (url === '/core/stats') statsAt.push(Date.now());
  });
});

afterAll(async () => {
  proxy?.close();
  await rclone?.stop();
  if (cp) rmSync(cp.dir, { recursive: true, force: true });
});

const since = (t: number) => statsAt.filter((at) => at >= t).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('polling rclone between uploads', () => {
  it('asks an idle rclone every idle interval, at once when cloudplow logs an upload start, then every interval until it logs the end', async () => {
    // A run from before, finished: the log is there to be heard, and says nothing is under way.
    const hourAgo = Date.now() / 1000 - 3600;
    writeLog(cp.log, [
      ['cloudplow', 'info', 'Starting upload', hourAgo],
      ['cloudplow', 'info', 'Finished upload', hourAgo + 60],
    ]);
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const sidecar = await sidecarOnCloudplow(cp.config, ['--interval', String(INTERVAL_S)], { url, user: rclone.user, pass: rclone.pass });
    try {
      expect(sidecar.data<Manifest>('index').intervals).toMatchObject({ activeSeconds: INTERVAL_S, idleSeconds: IDLE_S });

      // At rest: over 25 s, at most 4 polls (one every 10 s, and one in flight at each edge) where every 2 s would be 12.
      await waitFor('a first poll', () => statsAt.length > 0);
      const restFrom = Date.now();
      await sleep(25_000);
      const atRest = since(restFrom);
      expect(atRest).toBeGreaterThanOrEqual(2);
      expect(atRest).toBeLessThanOrEqual(4);

      // Just after an idle poll, the next is 10 s away: the start line must bring it far sooner.
      const n = statsAt.length;
      await waitFor('an idle poll', () => statsAt.length > n, 15_000, 20);
      const before = Date.now();
      writeLog(cp.log, [
        ['cloudplow', 'info', 'Starting upload'],
        ['cloudplow', 'info', "Uploading '/mnt/local/Media' to remote: google"],
      ]);
      // Timed from the line being on disk: python3 itself can take seconds to start on a loaded machine.
      const written = Date.now();
      const woke = await waitFor('a poll after the start line', () => statsAt.find((at) => at > before), 15_000, 20);
      expect(woke - written).toBeLessThan((IDLE_S * 1000) / 2);

      // The run is open, rclone still moves nothing (between SAs, or before its first file): every interval.
      const openFrom = Date.now();
      await sleep(12_000);
      expect(since(openFrom)).toBeGreaterThanOrEqual(4);

      writeLog(cp.log, [['cloudplow', 'info', 'Finished upload']]);
      // A log that moved a moment ago may be rclone's lines relayed: the rest begins 30 s after the last line.
      await sleep(30_000 + INTERVAL_S * 1000);
      const endedFrom = Date.now();
      await sleep(25_000);
      expect(since(endedFrom)).toBeLessThanOrEqual(4);
      expect(sidecar.proc.running).toBe(true);
    } finally {
      await sidecar.stop();
    }
  }, 300_000);
});
