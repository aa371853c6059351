import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_FILES, schemaPath } from '../../sidecar/contract/index.js';
import { publishedSchema } from '../../sidecar/write/schemas.js';

const committed = path.join('docs', 'schema');
const HOW = 'the data contract (sidecar/contract) changed: run `npm run schemas` and commit docs/schema/, so the change shows in review';

/** docs/schema/ holds the JSON Schemas the sidecar publishes, byte for byte: a contract change is a visible diff. */
describe('the published JSON Schemas in docs/schema/', () => {
  it('are one file per data file, and no other', () => {
    const files = readdirSync(committed).filter((f) => f.endsWith('.json')).sort();
    expect(files, HOW).toEqual(DATA_FILES.map((f) => path.basename(schemaPath(f.name))).sort());
  });

  it.each(DATA_FILES.map((f) => f.name))('%s.schema.json is what the contract generates', (name) => {
    const file = path.join(committed, path.basename(schemaPath(name)));
    // The same text writeSchemas writes into an output folder.
    expect(readFileSync(file, 'utf8'), `${file}: ${HOW}`).toBe(`${JSON.stringify(publishedSchema(name), null, 2)}\n`);
  });
});
