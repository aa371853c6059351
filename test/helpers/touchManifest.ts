import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../../sidecar/contract/index.js';

/** Rewrites an output folder's data file by rename, as the sidecar does: the page never reads half a file. */
export function writeData(outputDir: string, name: string, value: unknown): void {
  const file = path.join(outputDir, 'data', `${name}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(value));
  renameSync(`${file}.tmp`, file);
}

export function readData<T>(outputDir: string, name: string): T {
  return JSON.parse(readFileSync(path.join(outputDir, 'data', `${name}.json`), 'utf8')) as T;
}

/**
 * A new heartbeat in the manifest (optionally an old one: a stopped sidecar), and a new
 * changedAt for the files named, so pages fetch them again.
 */
export function touchManifest(outputDir: string, opts: { heartbeatMsAgo?: number; changed?: string[] } = {}): Manifest {
  const m = readData<Manifest>(outputDir, 'index');
  const now = new Date().toISOString();
  m.heartbeatAt = new Date(Date.now() - (opts.heartbeatMsAgo ?? 0)).toISOString();
  m.generatedAt = m.heartbeatAt;
  for (const f of m.files) if (opts.changed?.includes(f.name)) f.changedAt = now;
  writeData(outputDir, 'index', m);
  return m;
}
