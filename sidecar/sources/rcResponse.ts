/** How an RC answer that did arrive is read: rclone's own error shapes included. */
export type RcAnswer =
  | { kind: 'ok'; body: unknown }
  | { kind: 'auth_failed' | 'auth_required' | 'error'; message: string };

export function classifyRcAnswer(status: number, text: string, method: string): RcAnswer {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // rclone answers a bad or missing password with text/plain "Unauthorized", not JSON.
    if (status === 401 || status === 403) return { kind: 'auth_failed', message: `HTTP ${status} ${snippet(text) || 'Unauthorized'}` };
    return { kind: 'error', message: `HTTP ${status} from ${method}, not JSON: ${snippet(text) || '(empty)'}` };
  }
  // rclone 1.74+: no password was refused; the method runs only once the RC has a user (or --rc-no-auth).
  if (status === 403 && isRcError(body)) return { kind: 'auth_required', message: `HTTP 403 from ${method}: ${snippet(body.error)}` };
  if (status === 401 || status === 403) return { kind: 'auth_failed', message: `HTTP ${status} from ${method}` };
  if (status >= 400 || isRcError(body)) {
    const msg = isRcError(body) ? body.error : snippet(text);
    return { kind: 'error', message: `HTTP ${status} from ${method}: ${msg}` };
  }
  return { kind: 'ok', body };
}

/** rclone's error body: {error, input, path, status}. */
function isRcError(body: unknown): body is { error: string } {
  const error = body && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
  return typeof error === 'string' && error !== '';
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}
