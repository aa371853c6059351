import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../helpers/ports.js';
import { rawRequest } from '../helpers/http.js';
import { readJson, repoRoot } from '../helpers/sidecarProcess.js';

/**
 * The package as a user gets it: `npm pack`, then `npm install -g` of the tarball into a
 * clean prefix, then the installed `plowboard` run from a folder outside the repository.
 * This is the only test that proves the tarball holds everything the program reads at run
 * time (the Eleventy templates, the client sources esbuild bundles, the chart specs) and
 * that installing it needs no TypeScript.
 *
 * Cost: the install fetches ~270 packages from the npm registry (from npm's cache when it
 * has them) and, where better-sqlite3's prebuilt binary cannot be downloaded, compiles it:
 * 1.5 to 2.5 minutes on two shared cores (measured 85-125 s), most of the test's time.
 */

const version = readJson<{ version: string }>(path.join(repoRoot, 'package.json')).version;

let work: string;
let prefix: string;
let installed: string;
let tarballFiles: string[];
let filesAtInstall: string[];
let server: ChildProcess | null = null;

/**
 * The environment of a user's shell: none of the npm_* variables an enclosing `npm test`
 * sets (npm_config_prefix and the like would steer the inner npm), but HOME kept, so npm's
 * own cache and the user's ~/.npmrc (e.g. `nodedir` for building better-sqlite3) apply.
 */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_/i.test(k)) env[k] = v;
  // The installed bin starts with `#!/usr/bin/env node`: the node running the tests comes first.
  env.PATH = [path.join(prefix, 'bin'), path.dirname(process.execPath), env.PATH ?? ''].join(path.delimiter);
  // As the other CLI tests: never adopt a cloudplow running elsewhere on this machine.
  return { ...env, PLOWBOARD_PROC_ROOT: '', PLOWBOARD_SYSTEMD_DIRS: '', ...extra };
}

function run(cmd: string, args: string[], opts: { cwd: string; timeoutMs: number; env?: Record<string, string> }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout ends npm's children too (node-gyp, make, the compiler).
    const p = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? userEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {
        p.kill('SIGKILL');
      }
      reject(new Error(`${cmd} ${args.join(' ')} did not finish in ${opts.timeoutMs} ms:\n${stderr}`));
    }, opts.timeoutMs);
    p.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The installed command, by name from the PATH a user would have after the install. */
const plowboard = (args: string[], cwd = mkdtempSync(path.join(work, 'cwd-'))) => run('plowboard', args, { cwd, timeoutMs: 90_000 });

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-package-'));
  prefix = path.join(work, 'prefix');

  // --ignore-scripts: packing runs `prepack` (removes dist/) and `prepare` (tsc) otherwise,
  // which would pull dist/ from under the other test files running the CLI from it. The
  // global setup has just compiled dist/ from these sources, as `prepare` would have.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: repoRoot, timeoutMs: 120_000 });
  expect(packed.code, packed.stderr).toBe(0);
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  tarballFiles = info!.files.map((f) => f.path);
  const tarball = path.join(work, info!.filename);
  expect(existsSync(tarball)).toBe(true);

  // From the folder holding the tarball, as the README says; --prefer-offline takes what
  // npm's cache already has without asking the registry again.
  const started = Date.now();
  const install = await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', `./${info!.filename}`], {
    cwd: work,
    timeoutMs: 420_000,
  });
  expect(install.code, install.stderr).toBe(0);
  console.log(`package test: npm install -g of the tarball took ${Math.round((Date.now() - started) / 1000)} s`);
  installed = path.join(prefix, 'lib', 'node_modules', 'plowboard');
  filesAtInstall = ownFiles();
}, 480_000);

/**
 * The installed package's own files, node_modules left out. A global install is usually
 * root's (/usr/lib/node_modules) while plowboard runs as another user: it must write only
 * into its output and state folders, never beside its code.
 */
function ownFiles(): string[] {
  return readdirSync(installed, { recursive: true, encoding: 'utf8' })
    .filter((f) => f !== 'node_modules' && !f.startsWith(`node_modules${path.sep}`))
    .sort();
}

afterAll(async () => {
  // Left running only when the run test failed. SIGTERM first, as a user's stop: a SIGKILL
  // straight away orphaned the site build child, which went on writing into the folder below.
  if (server && server.exitCode === null && server.signalCode === null) {
    const p = server;
    await new Promise((resolve) => {
      const kill = setTimeout(() => p.kill('SIGKILL'), 10_000);
      p.once('exit', () => {
        clearTimeout(kill);
        resolve(null);
      });
      p.kill('SIGTERM');
    });
  }
  if (work) rmSync(work, { recursive: true, force: true, maxRetries: 5 });
}, 30_000);

/** The sidecar modules the browser code imports for real (type imports vanish in the bundle), as repository paths. */
function clientImportsOfSidecar(): string[] {
  const client = path.join(repoRoot, 'src', 'client');
  const found = new Set<string>();
  for (const file of readdirSync(client, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(path.join(client, file), 'utf8');
    for (const m of text.matchAll(/^import (?!type )[^;]*? from '((?:\.\.\/)+sidecar\/[^']+)\.js';/gm)) {
      found.add(path.relative(repoRoot, path.resolve(client, path.dirname(file), m[1]!)) + '.ts');
    }
  }
  return [...found].sort();
}

describe('npm pack', () => {
  it('holds the compiled CLI and what it reads at run time', () => {
    for (const f of [
      'package.json',
      'bin/plowboard.js',
      'bin/plowboard-healthcheck.js',
      'dist/sidecar/cli.js',
      'dist/sidecar/site/buildWorker.js',
      '.eleventy.js',
      'src/index.njk',
      'src/client/pages/overview.ts',
      'src/charts/throughput.vl.json',
      'src/styles/site.css',
      'templates/layouts/base.njk',
      // The client imports these; esbuild bundles them at run time.
      ...clientImportsOfSidecar(),
    ]) {
      expect(tarballFiles, f).toContain(f);
    }
  });

  it('holds no tests, benchmarks, CI files, TypeScript config or source maps', () => {
    const unwanted = tarballFiles.filter((f) => /^(test|bench|\.ci|docs|deploy|node_modules|output|state)\//.test(f) || /^tsconfig|^vitest|\.map$/.test(f));
    expect(unwanted).toEqual([]);
    // Of the sidecar's TypeScript only its shared wording folder, which the client bundle imports from.
    expect(tarballFiles.filter((f) => f.startsWith('sidecar/')).every((f) => f.startsWith('sidecar/format/'))).toBe(true);
    expect(clientImportsOfSidecar().every((f) => f.startsWith('sidecar/format/'))).toBe(true);
  });
});

describe('installed globally from the tarball', () => {
  it('is a copy with its own dependencies, installed without TypeScript', () => {
    expect(existsSync(path.join(installed, 'dist', 'sidecar', 'cli.js'))).toBe(true);
    // typescript is a devDependency: had the install needed it, tsc would have failed.
    expect(existsSync(path.join(installed, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(path.join(installed, 'node_modules', 'better-sqlite3'))).toBe(true);
    expect(readdirSync(path.join(prefix, 'bin'))).toContain('plowboard');
  });

  it('plowboard --version', async () => {
    const r = await plowboard(['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('plowboard check with no rclone answering: exit 0, every source on its line', async () => {
    const port = await freePort();
    const cwd = mkdtempSync(path.join(work, 'cwd-'));
    const r = await plowboard(['check', '--rclone-url', `http://127.0.0.1:${port}`], cwd);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.find((l) => l.startsWith('cloudplow'))).toContain('no config.json found');
    expect(lines.find((l) => l.startsWith('rclone'))).toMatch(new RegExp(`http://127\\.0\\.0\\.1:${port}\\s+idle`));
    expect(r.stdout).toContain('"--rc": null');
    expect(lines.find((l) => l.startsWith('output'))).toMatch(/writable/);
  });

  describe('plowboard build, then snapshot --from its output', () => {
    let out: string;
    beforeAll(async () => {
      out = path.join(work, 'build-out');
      const port = await freePort();
      const r = await plowboard(['build', '--rclone-url', `http://127.0.0.1:${port}`, '--output', out, '--state-dir', path.join(work, 'build-state')]);
      expect(r.code, r.stderr).toBe(0);
      // A failed site build still leaves the data and exits 0; it says so on stderr.
      expect(r.stderr).not.toMatch(/failed/i);
    }, 120_000);

    it('writes the site: every page, the bundled scripts and styles', () => {
      for (const page of ['index.html', 'transfers/index.html', 'accounts/index.html', 'queue/index.html', 'history/index.html', 'logs/index.html', 'health/index.html', 'kiosk/index.html']) {
        expect(existsSync(path.join(out, page)), page).toBe(true);
      }
      const assets = readdirSync(path.join(out, 'assets'));
      expect(assets.filter((f) => f.endsWith('.js')).length).toBeGreaterThan(0);
      expect(assets.filter((f) => f.endsWith('.css')).length).toBeGreaterThan(0);
      // The page names its own bundle: the one the installed package's esbuild wrote.
      const html = readFileSync(path.join(out, 'index.html'), 'utf8');
      const script = /assets\/(overview\.[A-Z2-7]{8}\.js)/.exec(html)?.[1];
      expect(script, 'overview script in index.html').toBeTruthy();
      expect(assets).toContain(script);
    });

    it('writes the data files', () => {
      for (const f of ['index', 'live', 'session', 'accounts', 'transfers', 'logs', 'health', 'distribution', 'history-1h']) {
        expect(existsSync(path.join(out, 'data', `${f}.json`)), f).toBe(true);
      }
      expect(readJson(path.join(out, 'data', 'index.json')).schemaVersion).toBeDefined();
    });

    it('plowboard snapshot --from that output writes HTML, Markdown, charts and data', async () => {
      const snap = path.join(work, 'snap');
      const r = await plowboard(['snapshot', '--from', out, '--out', snap]);
      expect(r.code, r.stderr).toBe(0);
      const files = readdirSync(snap, { recursive: true, encoding: 'utf8' });
      expect(files.filter((f) => /^plowboard-[^/]+\.html$/.test(f))).toHaveLength(1);
      expect(files.filter((f) => /^plowboard-[^/]+\.md$/.test(f))).toHaveLength(1);
      // Charts are drawn to SVG by the installed vega: the folder is not empty.
      expect(files.filter((f) => f.endsWith('.svg')).length).toBeGreaterThan(0);
      expect(files.filter((f) => f.endsWith('.json')).length).toBeGreaterThan(0);
    });
  });

  it('plowboard run serves the site and its data', async () => {
    const port = await freePort();
    const rclonePort = await freePort();
    const cwd = mkdtempSync(path.join(work, 'cwd-'));
    const out = path.join(cwd, 'output');
    mkdirSync(out);
    server = spawn('plowboard', ['run', '--host', '127.0.0.1', '--port', String(port), '--rclone-url', `http://127.0.0.1:${rclonePort}`, '--output', out, '--state-dir', path.join(cwd, 'state')], {
      cwd,
      env: userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const p = server;
    const exited = new Promise<never>((_, reject) => p.once('exit', (code) => reject(new Error(`plowboard run exited ${code}: ${stderr}`))));
    exited.catch(() => {});
    // The server answers before the first build is done, and the pages and the data files
    // of that build appear at different moments: wait until both answer.
    const get = (url: string) => rawRequest(port, 'GET', url, { Host: `127.0.0.1:${port}` });
    const [page, health] = await Promise.race([
      waitFor(
        'the overview page and health.json',
        async () => {
          const both = await Promise.all([get('/'), get('/data/health.json')]);
          return both.every((r) => r.status === 200) ? both : null;
        },
        60_000,
        200,
      ),
      // Give up at once if the process has ended: waitFor alone would retry to its timeout.
      exited,
    ]);
    expect(page.body).toContain('<html');
    expect(JSON.parse(health.body).schemaVersion).toBeDefined();

    const code = await new Promise<number | null>((resolve) => {
      p.once('exit', (c) => resolve(c));
      p.kill('SIGTERM');
    });
    expect(code, stderr).toBe(0);
  }, 90_000);

  it('plowboard demo shows a live dashboard, and Ctrl-C stops it and removes its folder', async () => {
    const port = await freePort();
    // The demo finds rclone on the PATH, as a user's would (Debian's, which .ci/run installs).
    const demo = spawn('plowboard', ['demo', '--port', String(port)], { cwd: mkdtempSync(path.join(work, 'cwd-')), env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let said = '';
    demo.stdout!.on('data', (d: Buffer) => (said += d.toString()));
    demo.stderr!.on('data', (d: Buffer) => (said += d.toString()));
    const exit = new Promise<number | null>((resolve) => demo.once('exit', (c) => resolve(c)));
    try {
      const folder = await waitFor('the demo’s URL line', () => /a generated cloudplow in (\S+)\/cloudplow /.exec(said)?.[1], 60_000);
      const get = (url: string) => rawRequest(port, 'GET', url, { Host: `127.0.0.1:${port}` });
      const live = await waitFor('files in flight, flagged as a demo', async () => {
        const [health, l] = await Promise.all([get('/data/health.json'), get('/data/live.json')]);
        if (health.status !== 200 || l.status !== 200) return null;
        return JSON.parse(health.body).demo === true && JSON.parse(l.body).total.inFlight > 0 ? JSON.parse(l.body) : null;
      }, 60_000, 250);
      expect(live.total.inFlight).toBeGreaterThan(0);
      expect((await get('/')).status).toBe(200);
      demo.kill('SIGINT');
      expect(await exit, said).toBe(0);
      expect(existsSync(folder)).toBe(false);
    } finally {
      if (demo.exitCode === null && demo.signalCode === null) demo.kill('SIGKILL');
    }
  }, 150_000);

  it('wrote nothing into its own folder while it ran', () => {
    expect(ownFiles()).toEqual(filesAtInstall);
  });
});
