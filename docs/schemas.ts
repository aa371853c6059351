/**
 * The published JSON Schemas of the data files, as files in the repository:
 *   npm run schemas
 * They are generated from sidecar/contract, as the sidecar writes them beside its data
 * (output/schema/). Committed, a contract change shows in review as a diff of docs/schema/;
 * test/unit/published-schemas.test.ts fails when these files and the contract differ.
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_FILES, schemaPath } from '../sidecar/contract/index.js';
import { writeSchemas } from '../sidecar/write/schemas.js';

const docs = path.dirname(fileURLToPath(import.meta.url));
const wanted = new Set(DATA_FILES.map((f) => path.basename(schemaPath(f.name))));
// A data file the contract no longer has: its schema goes too.
for (const f of readdirSync(path.join(docs, 'schema'))) if (f.endsWith('.schema.json') && !wanted.has(f)) rmSync(path.join(docs, 'schema', f));
await writeSchemas(docs);
console.log(`docs/schema: ${wanted.size} schemas written from sidecar/contract`);
