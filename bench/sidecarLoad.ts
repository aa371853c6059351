import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Accounts, Live } from '../sidecar/contract/index.js';
import { makeCloudplowFolder, pythonProcess, stopProcess } from '../test/helpers/cloudplow.js';
import { uploadLog } from './uploadLog.js';
import { RcloneDaemon, makeFiles } from '../test/helpers/rclone.js';
import { sidecarOnCloudplow } from '../test/helpers/sidecarProcess.js';
import { summary, watchProcess } from './procStats.js';

export interface LoadResult {
  scale: number;
  idle: { cpuPercent: number; rssMiB: number };
  busy: { cpuPercent: number; rssMiB: number };
  fileToDataMs: ReturnType<typeof summary>;
  rcloneToLiveMs: ReturnType<typeof summary>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The sidecar as a user runs it, at `scale` × (100 SAs, 2 transfers, 1 log line/s), 2 s interval:
 * CPU and memory at rest and busy, and how fast a change reaches the data files.
 */
export async function sidecarLoad(scale: number, seconds: number): Promise<LoadResult> {
  const cp = makeCloudplowFolder({ accounts: 100 * scale });
  const rclone = new RcloneDaemon(path.join(cp.dir, 'rclone-bench'));
  await rclone.start();
  const sidecar = await sidecarOnCloudplow(cp.config, ['--interval', '2'], rclone);
  const pid = sidecar.proc.proc!.pid!;
  const stops: Array<() => Promise<unknown>> = [];
  try {
    // Start-up garbage (the config, the first full log read, the first build's child) is
    // collected within ~20 s: resident memory at rest is taken after that.
    await sleep(30_000);
    const idle = await watchProcess(pid, seconds);

    const logger = uploadLog(cp.log, { everySeconds: 1 / scale });
    stops.push(() => stopProcess(logger));
    const src = path.join(rclone.workDir, 'src');
    makeFiles(src, Array.from({ length: 2 * scale }, (_, i) => [`big${i}.bin`, 400_000_000] as [string, number]));
    await rclone.bwlimit(`${2 * scale}M`);
    await rclone.copy(src, path.join(rclone.workDir, 'dst'));
    await sleep(10_000);
    const busy = await watchProcess(pid, seconds);

    // A cloudplow file changes → accounts.json says so.
    const accountsFile = path.join(sidecar.out, 'data', 'accounts.json');
    const writer = pythonProcess(
      `import time
q, sa = sys.argv[1], sys.argv[2]
for i in range(1, 31):
    dump(q, {'google': {sa: {'bytes': i * 1073741824, 'reset_time': time.time() + 3600}}})
    print(i, time.time(), flush=True)
    time.sleep(0.7)`,
      [path.join(cp.dir, 'sa_quota_cache.json'), path.join(cp.saDir, '1.json')],
    );
    stops.push(() => stopProcess(writer));
    const fileToData: number[] = [];
    let seen = 0;
    while (seen < 30) {
      // Only whole lines: the last one may still be arriving.
      const text = writer.output();
      const lines = text.slice(0, text.lastIndexOf('\n') + 1).trim().split('\n').filter(Boolean);
      const last = lines.at(-1)?.split(' ');
      if (last && Number(last[0]) > seen) {
        const [n, at] = [Number(last[0]), Number(last[1]) * 1000];
        while (true) {
          let used = -1;
          try {
            used = (JSON.parse(readFileSync(accountsFile, 'utf8')) as Accounts).uploaders[0]!.accounts.find((a) => a.name === '1.json')!.usedBytes;
          } catch {
            /* mid-rename on an old kernel: read again */
          }
          if (used === n * 1024 ** 3) break;
          if (Date.now() - at > 5000) break;
          await sleep(2);
        }
        fileToData.push(Date.now() - at);
        seen = n;
      }
      await sleep(5);
      if (writer.exitCode !== null && seen < 30 && !writer.output().includes(`${seen + 1} `)) break;
    }

    // rclone starts moving something → live.json shows it.
    const liveFile = path.join(sidecar.out, 'data', 'live.json');
    const rcloneToLive: number[] = [];
    // A fresh rclone (the busy copies gone), then one small slow copy at a time.
    await rclone.stop();
    await rclone.start(rclone.port);
    await sleep(3000);
    for (let i = 0; i < 5; i++) {
      const one = path.join(rclone.workDir, `one${i}`);
      makeFiles(one, [[`f${i}.bin`, 3_000_000]]);
      await rclone.bwlimit('1M');
      const t0 = Date.now();
      const job = await rclone.copy(one, path.join(rclone.workDir, `dst-one${i}`));
      while (Date.now() - t0 < 10_000) {
        const live = JSON.parse(readFileSync(liveFile, 'utf8')) as Live;
        if (live.instances[0]!.transferring.some((t) => t.name === `f${i}.bin`)) break;
        await sleep(5);
      }
      rcloneToLive.push(Date.now() - t0);
      await rclone.waitJob(job, 30_000);
    }
    return {
      scale,
      idle: { cpuPercent: idle.cpuPercent, rssMiB: summary(idle.rss).median },
      busy: { cpuPercent: busy.cpuPercent, rssMiB: summary(busy.rss).median },
      fileToDataMs: summary(fileToData),
      rcloneToLiveMs: summary(rcloneToLive),
    };
  } finally {
    for (const s of stops) await s();
    await sidecar.stop();
    await rclone.stop();
    rmSync(cp.dir, { recursive: true, force: true });
  }
}

/**
 * The least a Node.js poller can cost: a process that only asks an idle rclone for
 * core/stats every 2 s with undici, as the sidecar does, measured the same way.
 */
export async function pollFloor(seconds: number): Promise<{ cpuPercent: number }> {
  const work = mkdtempSync(path.join(tmpdir(), 'plowboard-bench-floor-'));
  const rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  const script = `
import { Agent, request } from 'undici';
const [url, user, pass] = process.argv.slice(1);
const dispatcher = new Agent({ connections: 1, keepAliveTimeout: 10_000 });
const authorization = 'Basic ' + Buffer.from(user + ':' + pass).toString('base64');
setInterval(async () => {
  const res = await request(url + '/core/stats', { method: 'POST', body: '{}', headers: { authorization, 'content-type': 'application/json' }, dispatcher });
  JSON.parse(await res.body.text());
}, 2000);`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script, rclone.url, rclone.user, rclone.pass], { stdio: 'ignore', cwd: path.resolve(path.dirname(new URL(import.meta.url).pathname), '..') });
  try {
    await sleep(5_000);
    return { cpuPercent: (await watchProcess(proc.pid!, seconds)).cpuPercent };
  } finally {
    proc.kill();
    await rclone.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The least an atomic publish can cost here: a bare process replacing three small files
 * (temp file, then rename, as the sidecar does) 1.5 times a second, the busy 1× rate of a
 * log line a second plus a poll every 2 s, measured the same way.
 */
export async function writeFloor(seconds: number): Promise<{ cpuPercent: number }> {
  const work = mkdtempSync(path.join(tmpdir(), 'plowboard-bench-writes-'));
  const script = `
import { open, rename } from 'node:fs/promises';
import path from 'node:path';
const dir = process.argv[1];
let n = 0;
const put = async (name, text) => {
  const tmp = path.join(dir, '.' + name + '.' + n++ + '.tmp');
  const h = await open(tmp, 'w', 0o644);
  try { await h.writeFile(text); } finally { await h.close(); }
  await rename(tmp, path.join(dir, name));
};
setInterval(async () => {
  const at = new Date().toISOString();
  for (const [name, size] of [['live.json', 2000], ['session.json', 2000], ['index.json', 1500]]) await put(name, JSON.stringify({ at, pad: 'x'.repeat(size) }));
}, 667);`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script, work], { stdio: 'ignore' });
  try {
    await sleep(5_000);
    return { cpuPercent: (await watchProcess(proc.pid!, seconds)).cpuPercent };
  } finally {
    proc.kill();
    rmSync(work, { recursive: true, force: true });
  }
}
