import path from 'node:path';
import { DATA_FILES, schemaPath } from '../contract/index.js';
import { writeFileAtomic } from './atomic.js';

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

/** The published JSON Schema of one data file, from the contract module. */
export function publishedSchema(name: string): Record<string, unknown> {
  const spec = DATA_FILES.find((f) => f.name === name);
  if (!spec) throw new Error(`no data file named ${name}`);
  // TypeBox keeps its own markers in symbol keys; a JSON round trip leaves plain JSON Schema.
  const plain = JSON.parse(JSON.stringify(spec.schema)) as Record<string, unknown>;
  return { $schema: DRAFT, ...plain, $id: `${name}.schema.json` };
}

export async function writeSchemas(outputDir: string): Promise<void> {
  for (const { name } of DATA_FILES) {
    await writeFileAtomic(path.join(outputDir, schemaPath(name)), `${JSON.stringify(publishedSchema(name), null, 2)}\n`);
  }
}
