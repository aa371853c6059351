import { execFile, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../helpers/ports.js';
import { repoRoot } from '../helpers/sidecarProcess.js';

/**
 * There is no Docker engine here, so the Dockerfile's own steps are run on a clean copy of
 * the repository: its COPY, RUN, ENV and WORKDIR lines, in order, with / rebased into a
 * temp folder. Only the base image's apt-get line is skipped (the machine has the tools).
 */
interface Step {
  op: string;
  args: string;
}

function parseDockerfile(text: string): Step[][] {
  const stages: Step[][] = [];
  const joined = text.replace(/\\\n\s*/g, ' ');
  for (const line of joined.split('\n')) {
    const m = /^([A-Z]+)\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === 'FROM') stages.push([]);
    stages.at(-1)?.push({ op: m[1]!, args: m[2]! });
  }
  return stages;
}

let work: string;
let proc: ReturnType<typeof spawn> | null = null;
afterAll(() => {
  proc?.kill('SIGTERM');
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('deploy files', () => {
  it('the systemd unit passes systemd-analyze verify', () => {
    const r = spawnSync('systemd-analyze', ['verify', path.join(repoRoot, 'deploy', 'plowboard.service')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const unit = readFileSync(path.join(repoRoot, 'deploy', 'plowboard.service'), 'utf8');
    expect(unit).toMatch(/^ReadOnlyPaths=\/opt\/cloudplow/m);
    expect(unit).toMatch(/^ProtectSystem=strict/m);
  });

  it('the Dockerfile builds and runs as a non-root user, and its steps work on a clean copy', { timeout: 600_000 }, async () => {
    const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
    const [build, run] = parseDockerfile(dockerfile);
    expect(run!.find((s) => s.op === 'USER')?.args).toBe('node');
    expect(run!.some((s) => s.op === 'HEALTHCHECK')).toBe(true);

    work = mkdtempSync(path.join(tmpdir(), 'plowboard-docker-'));
    const context = path.join(work, 'context');
    // A clean copy: what git tracks, nothing built or installed.
    const files = spawnSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
    for (const f of files) cpSync(path.join(repoRoot, f), path.join(context, f), { recursive: true });

    const root = (stage: string) => path.join(work, stage);
    // HOME stays: npm's user config there says where Node's headers are for native builds.
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' };
    // Async, so the long npm ci does not block vitest's worker from reporting.
    const sh = promisify(execFile);
    const execStage = async (steps: Step[], stage: string, from: Record<string, string>) => {
      let cwd = root(stage);
      for (const { op, args } of steps) {
        if (op === 'WORKDIR') {
          cwd = path.join(root(stage), args);
          mkdirSync(cwd, { recursive: true });
        } else if (op === 'ENV') {
          for (const m of args.matchAll(/(\w+)=(\S+)/g)) env[m[1]!] = m[2]!.startsWith('/') ? path.join(root(stage), m[2]!) : m[2]!;
        } else if (op === 'COPY') {
          const parts = args.split(/\s+/);
          const fromStage = parts[0]!.startsWith('--from=') ? from[parts.shift()!.slice(7)]! : context;
          const dest = parts.pop()!;
          for (const src of parts) {
            const target = dest.endsWith('/') || parts.length > 1 ? path.join(cwd, dest, path.basename(src)) : path.resolve(cwd, dest);
            cpSync(path.join(fromStage, src.replace(/^\/app\/?/, 'app/')), target, { recursive: true });
          }
        } else if (op === 'RUN') {
          if (/apt-get/.test(args)) continue;
          const rebased = args.replace(/(^|\s)\/data\b/g, `$1${root(stage)}/data`);
          await sh('sh', ['-c', rebased.replace(/chown -R node:node \S+/, 'true')], { cwd, env, timeout: 400_000, maxBuffer: 64 << 20 }).catch(
            (err: Error & { stderr?: string }) => {
              throw new Error(`${op} ${args}\n${err.stderr ?? err.message}`);
            },
          );
        }
      }
    };
    await execStage(build!, 'build', {});
    await execStage(run!, 'run', { build: root('build') });

    const app = path.join(root('run'), 'app');
    const port = String(await freePort());
    const arg = (op: string) => JSON.parse(run!.find((s) => s.op === op)!.args) as string[];
    const [entry, cmd] = [arg('ENTRYPOINT'), arg('CMD')];
    proc = spawn(entry[0]!, [...entry.slice(1), ...cmd, '--rclone-url', `http://127.0.0.1:${await freePort()}`], {
      cwd: app,
      env: { ...env, PLOWBOARD_PORT: port, PLOWBOARD_HOST: '127.0.0.1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const health = JSON.parse(/CMD\s+(\[.*\])/.exec(run!.find((s) => s.op === 'HEALTHCHECK')!.args)![1]!) as string[];
    let said = '';
    await waitFor(
      'the HEALTHCHECK to pass',
      () => {
        const r = spawnSync(health[0]!, health.slice(1), { cwd: app, env: { ...env, PLOWBOARD_PORT: port }, encoding: 'utf8', timeout: 10_000 });
        said = r.stdout + r.stderr;
        return r.status === 0;
      },
      60_000,
      500,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; the check said: ${said}; plowboard said: ${stderr}`);
    });
    // The site as well as the heartbeat: it is built in the container, from src/ and what the
    // browser code imports, which the run stage must have copied.
    const site = path.join(env.PLOWBOARD_OUTPUT!, 'index.html');
    await waitFor('the site in the output folder', () => existsSync(site), 60_000, 500).catch((err: Error) => {
      throw new Error(`${err.message}; plowboard said: ${stderr}`);
    });
    expect(stderr).not.toMatch(/site build failed/);
    // Nothing from the build stage's dev tools made it in.
    expect(() => readFileSync(path.join(app, 'node_modules', 'typescript', 'package.json'))).toThrow();
  });
});
