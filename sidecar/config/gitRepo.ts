import path from 'node:path';

/**
 * A git repository as `--git` or `--snapshot-git` names it: a URL (https, ssh, git,
 * file), scp-like `user@host:path`, or a local path. A password in it is refused wherever
 * it was given: git would keep it in the clone's `.git/config` and quote it in its
 * messages. Credentials come from git's own setup instead.
 */
export function checkGitRepo(raw: string, cwd: string): string {
  const text = raw.trim();
  if (!text) throw new Error('must name a git repository');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme) {
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      // Not echoed: a URL that does not parse may hold a password where no rule can find it.
      throw new Error('not a URL a git repository can have (https://host/path, ssh://host/path, file:///path, user@host:path or a path)');
    }
    if (u.password) throw new Error(PASSWORD_IN_GIT_URL);
    return text;
  }
  // git's own rule: a colon before any slash makes `host:path`; anything else is a path, made
  // absolute here because the clone runs elsewhere.
  return /^[^/]*:/.test(text) ? text : path.resolve(cwd, text);
}

export const PASSWORD_IN_GIT_URL =
  "refused: a password in the repository's URL would be kept in the clone's .git/config and be visible in the process list; give the URL without it and let git find the credentials (a credential helper, ~/.git-credentials, or an SSH key)";

/** The folder inside the repository, with `/` between its parts; `.` is the top. Never outside the clone, never in `.git`. */
export function checkGitPath(raw: string): string {
  const parts = raw.trim().replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  if (raw.trim().startsWith('/')) throw new Error(`must be a folder inside the repository, not an absolute path (${JSON.stringify(raw)})`);
  if (parts.some((p) => p === '..' || p.toLowerCase() === '.git')) throw new Error(`must be a folder inside the repository, without .. or .git (${JSON.stringify(raw)})`);
  return parts.join('/') || '.';
}
