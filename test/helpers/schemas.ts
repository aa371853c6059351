import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';
import { DATA_FILES } from '../../sidecar/contract/index.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/**
 * Published schemas let unknown fields through (additions keep schemaVersion). Tests
 * validate against a strict copy, so that a field the contract does not name fails here.
 */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, strict(pv)])) : strict(v);
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** Validates every data file in an output folder against the schema published beside it. */
export function expectValidOutput(outputDir: string, names: readonly string[] = DATA_FILES.map((f) => f.name)): void {
  const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
  for (const name of names) {
    const schema = JSON.parse(readFileSync(path.join(outputDir, 'schema', `${name}.schema.json`), 'utf8'));
    const data = JSON.parse(readFileSync(path.join(outputDir, 'data', `${name}.json`), 'utf8'));
    const validate = ajv.compile(strict({ ...schema, $id: `strict-${name}` }) as object);
    const ok = validate(data);
    expect(ok, `${name}.json: ${ajv.errorsText(validate.errors)}`).toBe(true);
    expect(data.schemaVersion).toBe(1);
  }
}
