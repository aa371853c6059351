import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding plowboard's package.json. Found by walking up from this module, so
 * it is the same whether the code runs from sidecar/ (tests) or dist/sidecar/ (built),
 * and whatever the working directory is.
 */
export const projectRoot: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('plowboard: package.json not found above the sidecar code');
    dir = up;
  }
  return dir;
})();

export const version: string = (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
