import type { IncomingMessage, ServerResponse } from 'node:http';
import { basicAuth, WWW_AUTHENTICATE } from './basicAuth.js';
import { securityHeaders } from './headers.js';
import { hostChecker, misdirectedLine } from './hostCheck.js';
import { pathGuard } from './pathGuard.js';

/** What the built-in server checks before a file is looked at. */
export interface GuardOptions {
  root: string;
  host: string;
  /** --allowed-host names; `*` for any. */
  allowedHosts?: readonly string[];
  frameAncestors?: string;
  /** Users and bcrypt hashes from --auth-file; none means no login. */
  users?: Map<string, string> | null;
}

/**
 * The checks in the order they answer: a Host that is not ours (421), then the login (401,
 * so even a 404 tells nothing to a stranger), then a path that is a dotfile or leads out of
 * the folder (404). Resolves true when it has answered; false lets serve-handler go on.
 * `published`: the path is exactly a file the sidecar published, answered from memory
 * (memoryAnswer.ts): no dotfile, no `..`, and nothing read from the folder, so the path
 * check, which resolves the path on disk, has nothing to judge.
 */
export function requestGuards(opts: GuardOptions): (req: IncomingMessage, res: ServerResponse, published?: boolean) => boolean | Promise<boolean> {
  const hostAllowed = hostChecker({ bound: opts.host, allowed: opts.allowedHosts ?? [] });
  const loggedIn = opts.users?.size ? basicAuth(opts.users) : null;
  const allowedPath = pathGuard(opts.root);
  const headers = securityHeaders(opts.frameAncestors);
  const answer = (res: ServerResponse, status: number, line: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers, ...extra });
    res.end(line);
    return true;
  };

  const check = async (req: IncomingMessage, res: ServerResponse, published: boolean): Promise<boolean> => {
    try {
      if (!hostAllowed(req.headers.host, req.socket.localAddress)) return answer(res, 421, misdirectedLine(req.headers.host ?? ''));
      if (loggedIn && !(await loggedIn(req.headers.authorization))) {
        return answer(res, 401, 'plowboard: log in to see this dashboard\n', { 'WWW-Authenticate': WWW_AUTHENTICATE });
      }
      const decision = published ? 'serve' : await allowedPath(req.url ?? '/');
      if (decision === 'bad-request') return answer(res, 400, 'plowboard: bad request\n');
      if (decision === 'not-found') return answer(res, 404, 'plowboard: not found\n');
    } catch {
      if (!res.headersSent) return answer(res, 500, 'plowboard: internal error\n');
    }
    // The client may have gone while a check waited: nothing is left to answer, and
    // nothing must be opened for it (the close that releases files has already passed).
    return res.destroyed || req.socket.destroyed;
  };

  return (req, res, published = false) => {
    // A published file without a login has nothing to wait for: judged without a promise,
    // as it is on every poll of every viewer.
    if (published && !loggedIn) {
      if (!hostAllowed(req.headers.host, req.socket.localAddress)) return answer(res, 421, misdirectedLine(req.headers.host ?? ''));
      return res.destroyed || req.socket.destroyed;
    }
    return check(req, res, published);
  };
}
