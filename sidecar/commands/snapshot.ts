import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfigOnHost, type ConfigFlags } from '../config/load.js';
import { Daemon } from '../daemon/daemon.js';
import { SnapshotInputError, loadOutput, type LoadedOutput } from '../snapshot/loadOutput.js';

/** Vega and Vega-Lite are loaded only by the command that draws with them. */
const writeSnapshotLazily = async (...args: Parameters<typeof import('../snapshot/writeSnapshot.js').writeSnapshot>) =>
  (await import('../snapshot/writeSnapshot.js')).writeSnapshot(...args);

export interface SnapshotFlags extends ConfigFlags {
  out: string;
  from?: string;
  redactNames?: boolean;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * `snapshot`: a self-contained copy for a wiki, from an existing output folder (`--from`)
 * or from the sources read once, as `build` reads them, into a folder thrown away after.
 */
export async function snapshotCommand(flags: SnapshotFlags): Promise<number> {
  let loaded: LoadedOutput;
  if (flags.from) {
    try {
      loaded = await loadOutput(path.resolve(flags.from));
    } catch (err) {
      if (!(err instanceof SnapshotInputError)) throw err;
      say(`plowboard: snapshot: ${err.message}`);
      return 2;
    }
  } else {
    loaded = await readSourcesOnce(flags);
  }
  for (const problem of loaded.problems) say(`plowboard: snapshot: ${problem}`);

  const out = path.resolve(flags.out);
  const written = await writeSnapshotLazily(loaded, out, { redact: !!flags.redactNames });
  for (const f of written.files) process.stdout.write(`${path.join(out, f.path)}\t${f.bytes}\n`);
  say(`plowboard: snapshot ${written.stem} written to ${out}${flags.redactNames ? ' (file names redacted)' : ''}`);
  return 0;
}

async function readSourcesOnce(flags: SnapshotFlags): Promise<LoadedOutput> {
  const tmp = await mkdtemp(path.join(tmpdir(), 'plowboard-snapshot-'));
  try {
    const daemon = new Daemon({ ...loadConfigOnHost(flags), output: tmp }, { continuous: false });
    await daemon.prepare();
    await daemon.stop();
    return await loadOutput(tmp);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
