import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Lowest first: a module may import from its own layer or any layer before it, never after.
// docs/ARCHITECTURE.md explains each layer; a new folder must be given a place here.
const LAYERS: string[][] = [
  ['contract', 'projectRoot.ts'],
  ['format'],
  ['normalize'],
  ['config'],
  ['sources'],
  ['state'],
  ['write'],
  ['site'],
  ['serve', 'snapshot'],
  ['daemon'],
  ['commands'],
  ['demo'],
  ['cli.ts'],
];

const root = path.resolve(import.meta.dirname, '../..');
const sidecar = path.join(root, 'sidecar');

function rank(file: string): number {
  const top = path.relative(sidecar, file).split(path.sep)[0]!;
  const i = LAYERS.findIndex((names) => names.includes(top));
  if (i < 0) throw new Error(`sidecar/${top} has no layer in test/unit/layers.test.ts`);
  return i;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Relative imports and re-exports, static and dynamic, resolved to the .ts file they name. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)'(\.{1,2}\/[^']+)'/g)) {
    found.push(path.resolve(path.dirname(file), m[1]!).replace(/\.js$/, '.ts'));
  }
  return found;
}

describe('every import runs down the layers', () => {
  it('no sidecar module imports from a higher layer', () => {
    const upward: string[] = [];
    for (const file of tsFiles(sidecar)) {
      for (const target of imports(file)) {
        if (!target.startsWith(sidecar + path.sep)) continue;
        if (rank(target) > rank(file)) upward.push(`${path.relative(root, file)} -> ${path.relative(root, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('the browser code takes only the contract and format/ from the sidecar', () => {
    const reaching: string[] = [];
    for (const file of tsFiles(path.join(root, 'src'))) {
      for (const target of imports(file)) {
        if (!target.startsWith(sidecar + path.sep)) continue;
        if (!['contract', 'format'].includes(path.relative(sidecar, target).split(path.sep)[0]!)) reaching.push(`${path.relative(root, file)} -> ${path.relative(root, target)}`);
      }
    }
    expect(reaching).toEqual([]);
  });

  it('sees the imports it judges', () => {
    // A regex that silently matched nothing would pass the tests above vacuously.
    expect(imports(path.join(sidecar, 'cli.ts')).length + imports(path.join(sidecar, 'sources/cloudplow.ts')).length).toBeGreaterThan(5);
  });
});
