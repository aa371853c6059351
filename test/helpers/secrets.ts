import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every file under `dir` whose bytes contain `needle`. */
export function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    // A running sidecar renames its temp files into place: one listed a moment ago may be gone; its content is read under its final name.
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if (bytes.includes(needle)) hits.push(file);
  }
  return hits;
}
