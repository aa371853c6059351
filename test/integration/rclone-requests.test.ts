import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RcloneSource, type RclonePoll } from '../../sidecar/sources/rclone.js';
import { waitFor } from '../helpers/ports.js';
import { passThroughProxy } from '../helpers/passThroughProxy.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';

/**
 * What the sidecar asks a real rclone, counted by a pass-through proxy in front of it:
 * an idle rclone costs one request per poll, and a finished transfer still arrives.
 */
let work: string;
let rclone: RcloneDaemon;
let proxy: http.Server;
const asked = new Map<string, number>();

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-requests-'));
  rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  proxy = await passThroughProxy(rclone.url, (url) => asked.set(url, (asked.get(url) ?? 0) + 1));
});

afterAll(async () => {
  proxy?.close();
  await rclone?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('requests to rclone', () => {
  it('asks core/transferred only when core/stats shows a transfer ended, and loses no finished transfer', async () => {
    const polls: RclonePoll[] = [];
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const source = new RcloneSource(
      { name: 'default', url, user: rclone.user, pass: rclone.pass, credentialsFrom: null },
      { intervalMs: 100, maxBackoffMs: 200, timeoutMs: 1000, onPoll: (p) => polls.push(p) },
    );
    source.start();
    try {
      await waitFor('twenty idle polls', () => polls.length >= 20, 10_000);
      expect(asked.get('/core/stats')).toBeGreaterThanOrEqual(20);
      // The first poll reads the list; an idle rclone is not asked again.
      expect(asked.get('/core/transferred')).toBe(1);

      const src = path.join(work, 'src');
      makeFiles(src, [['one.mkv', 200_000], ['two.mkv', 200_000]]);
      const job = await rclone.copy(src, path.join(work, 'dst'));
      expect((await rclone.waitJob(job)).success).toBe(true);
      const seen = await waitFor('both finished transfers in a poll', () => {
        const names = new Set(polls.flatMap((p) => p.transferred.map((t) => t.name)));
        return names.has('one.mkv') && names.has('two.mkv');
      }, 5_000);
      expect(seen).toBe(true);
      expect(asked.get('/core/transferred')).toBeGreaterThan(1);
    } finally {
      await source.stop();
    }
  });
});
