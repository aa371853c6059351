import { stat } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { asObject } from '../normalize/coerce.js';
import { parseLenientJson } from './lenientJson.js';
import { readHint } from './readHint.js';
import { SourceStatus } from './sourceStatus.js';

export interface Bans {
  /** {uploader: {<full SA path>: unban epoch seconds | null} | null} */
  saBans: Record<string, Record<string, number | null> | null>;
  /** {uploader: unban epoch seconds} */
  uploaderBans: Record<string, number | null>;
}

const EMPTY: Bans = { saBans: {}, uploaderBans: {} };
/** How long a read waits for cloudplow's write lock before giving up until the next change. */
const BUSY_TIMEOUT_MS = 1500;

/**
 * cloudplow's cache.db (sqlitedict: one table per dict, `key TEXT PRIMARY KEY, value`
 * holding JSON). Opened read-only for each read and closed at once, so plowboard never
 * holds a lock cloudplow waits on; a busy or broken database keeps the last good bans.
 */
export class CacheDb {
  readonly status: SourceStatus;
  private value: Bans = EMPTY;
  private signature: string | null = null;

  constructor(readonly file: string) {
    this.status = new SourceStatus('cloudplow:cache.db', 'cloudplow', 'cache.db', file);
  }

  get current(): Bans {
    return this.value;
  }

  async read(): Promise<boolean> {
    const started = performance.now();
    let signature: string;
    try {
      const st = await stat(this.file);
      if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
      // A rollback journal beside it means a write is under way: its mtime joins the signature.
      const journal = await stat(`${this.file}-journal`).catch(() => null);
      signature = `${st.ino}:${st.size}:${st.mtimeMs}:${journal?.mtimeMs ?? ''}`;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        this.status.fail('missing', `${this.file} does not exist`, {
          hint: 'cloudplow keeps its bans where --cachefile or CLOUDPLOW_CACHEFILE says, else beside cloudplow.py, once it has run; `plowboard check` shows where plowboard looked and why. Set cloudplowPaths.cacheDb if it lives elsewhere.',
        });
        const changed = this.value !== EMPTY;
        this.value = EMPTY;
        this.signature = null;
        return changed;
      }
      this.status.fail('error', `cannot read ${this.file}: ${code ?? (err as Error).message}`, { hint: readHint(code) });
      return false;
    }
    if (signature === this.signature) return false;
    try {
      const bans = readBans(this.file);
      this.status.ok(performance.now() - started);
      this.signature = signature;
      const changed = JSON.stringify(bans) !== JSON.stringify(this.value);
      if (changed) this.value = bans;
      return changed;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      const busy = code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
      this.status.fail('error', `cannot read ${this.file}: ${(err as Error).message}${code ? ` (${code})` : ''}`, {
        hint: busy
          ? 'cloudplow held its write lock: plowboard keeps the last bans it read and reads again on the next change.'
          : code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT'
            ? 'The file is not a healthy SQLite database: cloudplow will likely fail too. Bans shown are the last good ones.'
            : readHint(code),
      });
      return false;
    }
  }
}

function readBans(file: string): Bans {
  // fileMustExist: a read-only open must never create a database in cloudplow's folder.
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
    const table = (name: string): Record<string, unknown> => {
      if (!tables.has(name)) return {};
      const rows = db.prepare(`SELECT key, value FROM "${name}"`).all() as Array<{ key: unknown; value: unknown }>;
      const out: Record<string, unknown> = {};
      for (const { key, value } of rows) {
        if (typeof key !== 'string') continue;
        const text = Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'string' ? value : null;
        if (text === null) continue;
        out[key] = parseValue(text);
      }
      return out;
    };
    const saBans: Bans['saBans'] = {};
    for (const [uploader, v] of Object.entries(table('sa_bans'))) {
      const byPath = asObject(v);
      saBans[uploader] = byPath ? Object.fromEntries(Object.entries(byPath).map(([p, until]) => [p, typeof until === 'number' && Number.isFinite(until) ? until : null])) : null;
    }
    const uploaderBans: Bans['uploaderBans'] = {};
    for (const [uploader, v] of Object.entries(table('uploader_bans'))) uploaderBans[uploader] = typeof v === 'number' && Number.isFinite(v) ? v : null;
    return { saBans, uploaderBans };
  } finally {
    db.close();
  }
}

/** sqlitedict stores json.dumps text; a value that is not JSON is left out rather than failing the table. */
function parseValue(text: string): unknown {
  try {
    return parseLenientJson(text);
  } catch {
    return undefined;
  }
}
