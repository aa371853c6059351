import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { DATA_FILES, dataPath } from '../contract/index.js';
import { publishedSchema } from '../write/schemas.js';
import type { SnapshotData } from './snapshotData.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** The folder given is not an output folder at all: the command stops with one line. */
export class SnapshotInputError extends Error {}

export interface LoadedOutput {
  data: SnapshotData;
  /** The files as read, byte for byte, for the copy beside the snapshot. */
  raw: Map<string, string>;
  /** One line per file left out: missing, unreadable or not what its schema says. */
  problems: string[];
}

let validators: Map<string, ValidateFunction> | null = null;

/** Each data file's published schema, compiled once per process. */
function validator(name: string): ValidateFunction {
  if (!validators) {
    const ajv = addFormats(new Ajv2020({ allErrors: false, strict: false }));
    validators = new Map(DATA_FILES.map((f) => [f.name, ajv.compile(publishedSchema(f.name))]));
  }
  return validators.get(name)!;
}

/**
 * Reads `dir/data/*.json` and keeps each file that its schema accepts. A missing or bad
 * file costs its section of the snapshot, never the snapshot.
 */
export async function loadOutput(dir: string): Promise<LoadedOutput> {
  const dataDir = path.join(dir, 'data');
  const st = await stat(dataDir).catch(() => null);
  if (!st?.isDirectory()) throw new SnapshotInputError(`${dir} is not a plowboard output folder: no data/ folder in it`);

  const data: Record<string, unknown> = {};
  const raw = new Map<string, string>();
  const problems: string[] = [];
  for (const { name } of DATA_FILES) {
    const file = dataPath(name);
    let text: string;
    try {
      text = await readFile(path.join(dir, file), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push(`${file}: ${code === 'ENOENT' ? 'missing' : `unreadable (${code ?? (err as Error).message})`}, left out`);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      problems.push(`${file}: not JSON (${(err as Error).message}), left out`);
      continue;
    }
    const validate = validator(name);
    if (!validate(value)) {
      const e = validate.errors?.[0];
      problems.push(`${file}: does not match its schema (${e ? `${e.instancePath || '/'} ${e.message}` : 'invalid'}), left out`);
      continue;
    }
    data[name] = value;
    raw.set(name, text);
  }
  if (!raw.size) throw new SnapshotInputError(`${dir} has no usable data files in data/ (${problems.length} missing or invalid)`);
  return { data: data as SnapshotData, raw, problems };
}
