import Database from 'better-sqlite3';

/**
 * cloudplow's cache.db written in sqlitedict's layout: one table per dict, each row a
 * top-level key with its value as JSON text (`encode=json.dumps`). So `sa_bans` has one
 * row per uploader whose value maps each SA file's full path to null or its unban epoch.
 * Opened for each write and closed at once, as sqlitedict commits, so plowboard's
 * read-only reader never waits long on a lock.
 */
export class CacheDbWriter {
  constructor(readonly file: string) {}

  put(table: 'sa_bans' | 'uploader_bans', key: string, value: unknown): void {
    const db = new Database(this.file);
    try {
      db.exec(`CREATE TABLE IF NOT EXISTS "${table}" (key TEXT PRIMARY KEY, value BLOB)`);
      db.prepare(`REPLACE INTO "${table}" (key, value) VALUES (?, ?)`).run(key, JSON.stringify(value));
    } finally {
      db.close();
    }
  }
}
