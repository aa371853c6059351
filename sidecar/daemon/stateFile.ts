import { mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../write/atomic.js';

export type Loaded<T> = { kind: 'loaded'; value: T } | { kind: 'none' } | { kind: 'corrupt'; message: string; movedTo: string | null };

/**
 * The sidecar's own memory between runs (history, finished transfers), in the state
 * folder, outside output/. Saved atomically; a file that does not parse is moved aside
 * (kept for a look, never silently overwritten) and the sidecar starts fresh.
 */
export class StateFile<T> {
  constructor(
    readonly file: string,
    private readonly restore: (raw: unknown) => T,
  ) {}

  async load(): Promise<Loaded<T>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
      return { kind: 'corrupt', message: `cannot read ${this.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, movedTo: null };
    }
    try {
      return { kind: 'loaded', value: this.restore(JSON.parse(text)) };
    } catch (err) {
      const movedTo = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const moved = await rename(this.file, movedTo).then(() => movedTo, () => null);
      return { kind: 'corrupt', message: `${path.basename(this.file)} could not be read back (${(err as Error).message}); starting fresh`, movedTo: moved };
    }
  }

  async save(value: unknown): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, JSON.stringify(value));
  }
}
