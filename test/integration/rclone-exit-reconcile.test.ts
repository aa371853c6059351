import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transfers } from '../../sidecar/contract/index.js';
import { makeCloudplowFolder, type CloudplowFolder } from '../helpers/cloudplow.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles, rcloneBin } from '../helpers/rclone.js';
import { sidecarOnCloudplow } from '../helpers/sidecarProcess.js';

/**
 * cloudplow runs `rclone move` and logs every line rclone prints (its `process` logger).
 * rclone exits right after its last file, often before plowboard's next poll of
 * core/transferred: that file must still be listed, from rclone's `Copied (new)` line.
 * Each file stays in flight for more than one poll interval (500 KiB/s shared by two), so a
 * poll has seen it, and its size, however late a loaded machine runs the polls.
 */
const FILES: Array<[string, number]> = [
  ['one.mkv', 1_200_000],
  ['two.mkv', 1_500_000],
  ['three.mkv', 1_800_000],
  ['four.mkv', 1_100_000],
];
// cloudplow's own log format and logger, fed rclone's output line by line as utils/process.py does.
const RELAY = `
import logging, sys
from logging.handlers import RotatingFileHandler
h = RotatingFileHandler(sys.argv[1], maxBytes=5*1024*1024, backupCount=5, encoding='utf-8')
h.setFormatter(logging.Formatter('%(asctime)s - %(levelname)-10s - %(name)-20s - %(funcName)-30s - %(message)s'))
log = logging.getLogger('process')
log.addHandler(h)
log.setLevel(logging.INFO)
def execute():
    for line in sys.stdin:
        if line.strip():
            log.info(line.strip())
execute()
`;

let work: string;
let cp: CloudplowFolder;
const auth = new RcloneDaemon('/nonexistent');

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-exit-'));
  cp = makeCloudplowFolder({ accounts: 2 });
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(cp.dir, { recursive: true, force: true });
});

describe('rclone killed right after its last file', () => {
  it('lists every moved file once, with its size, the last one from cloudplow’s log', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const sidecar = await sidecarOnCloudplow(cp.config, ['--interval', '2'], { url, user: auth.user, pass: auth.pass });
    const src = path.join(work, 'upload');
    makeFiles(src, FILES);
    const conf = path.join(work, 'rclone.conf');
    writeFileSync(conf, '');
    const relay = spawn('python3', ['-u', '-c', RELAY, cp.log], { stdio: ['pipe', 'ignore', 'inherit'] });
    // cloudplow says so before it starts rclone; the sidecar, resting between uploads, polls from then on.
    relay.stdin!.write('Starting upload\n');
    await waitFor('the sidecar to read "Starting upload"', () => sidecar.data<{ lines: Array<{ message: string }> }>('logs').lines.some((l) => l.message === 'Starting upload'), 60_000, 250);
    const rclone = spawn(
      rcloneBin(),
      ['move', src, ':memory:bucket', '-v', '--stats=0', '--transfers=2', '--bwlimit=500K', '--rc', `--rc-addr=127.0.0.1:${port}`, `--rc-user=${auth.user}`, `--rc-pass=${auth.pass}`, `--config=${conf}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const copied = new Set<string>();
    const allCopied = new Promise<void>((resolve) => {
      createInterface({ input: rclone.stderr! }).on('line', (line) => {
        relay.stdin!.write(`${line}\n`);
        const m = /INFO\s*:\s*(.+?): Copied \(/.exec(line);
        if (m) copied.add(m[1]!);
        // As cloudplow does at an SA change: rclone ended the moment its last file is done.
        if (copied.size === FILES.length) {
          rclone.kill('SIGKILL');
          resolve();
        }
      });
    });
    try {
      await Promise.race([allCopied, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${[...copied].join(', ')} copied`)), 60_000))]);
      relay.stdin!.end();
      const listed = await waitFor('every file in transfers.json', () => {
        const t = sidecar.data<Transfers>('transfers');
        return t.transfers.length >= FILES.length ? t : null;
      }, 30_000, 250);
      // A moment more: a late record of rclone's must fold into what is there, not add.
      await new Promise((r) => setTimeout(r, 2500));
      const t = sidecar.data<Transfers>('transfers');
      expect(t.count).toBe(FILES.length);
      expect(t.transfers.map((x) => [x.name, x.size, x.bytes, x.ok]).sort()).toEqual(FILES.map(([name, size]) => [name, size, size, true]).sort());
      expect(listed.transfers.every((x) => x.source === 'rclone' || x.source === 'cloudplow-log')).toBe(true);
    } finally {
      rclone.kill('SIGKILL');
      relay.kill();
      await sidecar.stop();
    }
  }, 150_000);
});
