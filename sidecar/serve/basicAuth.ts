import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/configError.js';

/** What a 401 carries, so a browser asks for the login. */
export const WWW_AUTHENTICATE = 'Basic realm="plowboard"';

/** bcrypt as htpasswd -B ($2y$), PHP ($2y$), OpenBSD ($2b$) and older tools ($2a$) write it. */
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

/**
 * Reads an htpasswd file: `user:hash` lines, blank lines and `#` comments skipped. Only
 * bcrypt is accepted: htpasswd's default ($apr1$, MD5), {SHA} and crypt are quick to guess
 * from a leaked file. Throws ConfigError (exit 2, one line); a hash is never quoted.
 */
export function readHtpasswd(file: string, where = '--auth-file'): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(where, null, `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const users = new Map<string, string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const at = `${file}: line ${i + 1}`;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ConfigError(where, null, `${at}: not a user:hash line`);
    const [user, hash] = [line.slice(0, colon), line.slice(colon + 1).trim()];
    if (!BCRYPT.test(hash)) throw new ConfigError(where, null, `${at}: not a bcrypt hash (${hashKind(hash)}); make the entry with htpasswd -B`);
    if (users.has(user)) throw new ConfigError(where, null, `${at}: user ${JSON.stringify(user)} is listed twice`);
    users.set(user, hash);
  });
  if (users.size === 0) throw new ConfigError(where, null, `${file} has no user:hash lines`);
  return users;
}

function hashKind(hash: string): string {
  if (hash.startsWith('$apr1$')) return "it is htpasswd's MD5 ($apr1$)";
  if (hash.startsWith('{SHA}')) return 'it is SHA-1 ({SHA})';
  if (/^\$[156]\$/.test(hash)) return 'it is crypt MD5 or SHA ($1$, $5$, $6$)';
  if (hash.startsWith('$2')) return 'a malformed bcrypt hash';
  return 'crypt or plain text';
}

/**
 * Checks an Authorization header against the users. A page polls every couple of seconds
 * and bcrypt is slow on purpose, so a header that verified is remembered for a short while,
 * keyed by an HMAC of the header under a key made at start: the plain password is never
 * kept, and the key is not a fast hash anyone could test guesses against offline.
 */
export function basicAuth(users: Map<string, string>, opts: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}) {
  const ttlMs = opts.ttlMs ?? 60_000;
  const maxEntries = opts.maxEntries ?? 256;
  const now = opts.now ?? Date.now;
  const key = randomBytes(32);
  const verified = new Map<string, number>();
  // A page load asks for many files at once with the same header: one bcrypt for all of them.
  const pending = new Map<string, Promise<boolean>>();
  // An unknown user costs the same bcrypt as a known one, so timing does not tell which users exist.
  const decoy = users.values().next().value!;

  const verify = async (header: string): Promise<boolean> => {
    const m = /^basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const hash = users.get(decoded.slice(0, colon));
    // Loaded with the first login: most sidecars run without --auth-file.
    const { compare } = await import('bcryptjs');
    const ok = await compare(decoded.slice(colon + 1), hash ?? decoy).catch(() => false);
    return ok && hash !== undefined;
  };

  return async (header: string | undefined): Promise<boolean> => {
    if (!header || header.length > 4096) return false;
    const id = createHmac('sha256', key).update(header).digest('base64');
    const until = verified.get(id);
    if (until !== undefined) {
      if (until > now()) return true;
      verified.delete(id);
    }
    let check = pending.get(id);
    if (!check) {
      check = verify(header).finally(() => pending.delete(id));
      pending.set(id, check);
    }
    const ok = await check;
    if (ok) {
      // Bounded: the oldest entry goes first (a Map keeps insertion order).
      if (verified.size >= maxEntries) verified.delete(verified.keys().next().value!);
      verified.set(id, now() + ttlMs);
    }
    return ok;
  };
}
