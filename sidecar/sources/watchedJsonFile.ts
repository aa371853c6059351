import { readFile, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseLenientJson } from './lenientJson.js';
import { readHint } from './readHint.js';
import { SourceStatus } from './sourceStatus.js';

/** cloudplow rewrites these with open('w') + json.dump: a reader can catch one empty or half written. */
const TORN_RETRIES = 10;
/** A read takes well under a millisecond: short, jittered waits find the gaps between rewrites. */
const tornDelayMs = () => 5 + Math.random() * 20;
/** The fork's files are kilobytes; one of many megabytes is not one of them. */
export const MAX_JSON_BYTES = 32 * 1024 * 1024;

/**
 * One of cloudplow's JSON state files. A read that fails to parse is retried briefly (the
 * writer is probably mid-write); if it still fails, the last good value stays and the
 * problem goes to health.json. A file that is not there reads as null, quietly.
 */
export class WatchedJsonFile {
  readonly status: SourceStatus;
  private value: unknown = null;
  private signature: string | null = null;

  constructor(
    readonly file: string,
    label: string,
    private readonly missingHint: string,
  ) {
    this.status = new SourceStatus(`cloudplow:${label}`, 'cloudplow', label, file);
  }

  get current(): unknown {
    return this.value;
  }

  /** Returns true when the value changed. Unchanged files (same inode, size, mtime) are not reread. */
  async read(): Promise<boolean> {
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt();
      if (outcome.kind === 'unchanged') return false;
      if (outcome.kind === 'ok') {
        this.status.ok(performance.now() - started);
        const changed = JSON.stringify(outcome.value) !== JSON.stringify(this.value);
        if (changed) this.value = outcome.value;
        this.signature = outcome.signature;
        return changed;
      }
      if (outcome.kind === 'missing') {
        this.status.fail('missing', `${this.file} does not exist`, { hint: this.missingHint });
        const changed = this.value !== null;
        this.value = null;
        this.signature = null;
        return changed;
      }
      if (outcome.kind === 'torn' && attempt < TORN_RETRIES) {
        await sleep(tornDelayMs());
        continue;
      }
      // Not remembered as read: the next change or check tries again.
      this.signature = null;
      this.status.fail('error', outcome.message, {
        hint: outcome.kind === 'torn' ? `${this.value === null ? 'Nothing shown from it yet' : 'Showing its last good value'}; plowboard reads it again when it changes.` : outcome.hint,
      });
      return false;
    }
  }

  private async attempt(): Promise<
    | { kind: 'ok'; value: unknown; signature: string }
    | { kind: 'unchanged' }
    | { kind: 'missing' }
    | { kind: 'torn'; message: string }
    | { kind: 'error'; message: string; hint: string }
  > {
    try {
      const before = await stat(this.file);
      if (!before.isFile()) return { kind: 'error', message: `${this.file} is not a regular file`, hint: readHint('EISDIR') };
      const signature = `${before.ino}:${before.size}:${before.mtimeMs}`;
      if (signature === this.signature) return { kind: 'unchanged' };
      if (before.size > MAX_JSON_BYTES) {
        return { kind: 'error', message: `${this.file} is ${before.size} bytes, over the ${MAX_JSON_BYTES}-byte limit`, hint: 'This is not a file cloudplow writes at that size; plowboard ignores it until it shrinks.' };
      }
      const text = await readFile(this.file, 'utf8');
      const after = await stat(this.file);
      // Written to while we read: whatever we got is not one version of the file.
      if (`${after.ino}:${after.size}:${after.mtimeMs}` !== signature) return { kind: 'torn', message: `${this.file} changed while it was read` };
      if (!text.trim()) return { kind: 'torn', message: `${this.file} is empty` };
      let value: unknown;
      try {
        value = parseLenientJson(text);
      } catch (err) {
        return { kind: 'torn', message: `${this.file} is not valid JSON: ${(err as Error).message}` };
      }
      // Every one of these files is a JSON object at the top; anything else is not cloudplow's.
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        return { kind: 'error', message: `${this.file} holds ${Array.isArray(value) ? 'a list' : typeof value}, not the object cloudplow writes`, hint: 'Showing its last good value, if any; plowboard reads it again when it changes.' };
      }
      return { kind: 'ok', value, signature };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { kind: 'missing' };
      return { kind: 'error', message: `cannot read ${this.file}: ${code ?? (err as Error).message}`, hint: readHint(code) };
    }
  }
}
