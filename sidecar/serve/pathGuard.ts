import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'node:url';

export type PathDecision = 'serve' | 'not-found' | 'bad-request';

/**
 * Decides, before serve-handler runs, whether a request path may be served at all:
 * nothing whose name starts with a dot (`.env`, `.git/`, `data/.x`), and nothing whose real
 * location (every symlink resolved) is outside the output folder. serve-handler opens only
 * the last path component without following links (O_NOFOLLOW in server.ts), so a symlinked
 * folder on the way (`/linkdir/x.txt`) is caught here.
 *
 * The files serve-handler may answer with are the path itself, `path/index.html` or
 * `path.html` beside it: all at or under the deepest part of the path that exists, or its
 * parent. So the real path of that deepest existing part is what must stay inside.
 */
export function pathGuard(root: string): (url: string) => Promise<PathDecision> {
  return async (url) => {
    // Decoded as serve-handler decodes it, so both judge the same path.
    if (!url.startsWith('/')) return 'bad-request';
    let decoded: string;
    try {
      decoded = decodeURIComponent(parse(url).pathname ?? '/');
    } catch {
      return 'bad-request';
    }
    if (decoded.includes('\0')) return 'not-found';
    // Resolved for each request: the folder may be created or replaced after the server starts.
    const rootDir = await realpath(root).catch(() => path.resolve(root));
    const wanted = path.join(rootDir, decoded);
    const inside = path.relative(rootDir, wanted);
    if (inside.startsWith('..') || path.isAbsolute(inside)) return 'not-found';
    if (inside.split(path.sep).some((part) => part.startsWith('.'))) return 'not-found';
    return (await staysInside(rootDir, wanted)) ? 'serve' : 'not-found';
  };
}

async function staysInside(rootDir: string, wanted: string): Promise<boolean> {
  for (let at = wanted; ; at = path.dirname(at)) {
    try {
      const real = await realpath(at);
      return real === rootDir || real.startsWith(rootDir + path.sep);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Not there (yet): judge the part of the path that exists.
      if ((code === 'ENOENT' || code === 'ENOTDIR') && at !== rootDir) continue;
      // A symlink loop, no permission, the root itself gone: nothing to serve.
      return false;
    }
  }
}
