import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SiteData } from './siteData.js';

const worker = fileURLToPath(new URL('./buildWorker.js', import.meta.url));

/** Builds the site in a short-lived child process, so its memory is given back when it is done. */
export function buildSiteInChild(opts: { outputDir: string; site: SiteData }): Promise<{ durationMs: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve({ durationMs: performance.now() - started });
      else reject(new Error(err.trim() || `the site build exited with ${code}`));
    });
    child.stdin.end(JSON.stringify(opts));
  });
}
