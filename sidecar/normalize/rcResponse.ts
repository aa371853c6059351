/** How an RC answer that did arrive is read: rclone's own error shapes included. */
export type RcAnswer =
  | { kind: 'ok'; body: unknown }
  | { kind: 'auth_failed' | 'error'; message: string };

export function classifyRcAnswer(status: number, text: string, method: string): RcAnswer {
  // rclone answers a bad or missing password with text/plain "Unauthorized", not JSON.
  if (status === 401 || status === 403) return { kind: 'auth_failed', message: `HTTP ${status} ${snippet(text) || 'Unauthorized'}` };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { kind: 'error', message: `HTTP ${status} from ${method}, not JSON: ${snippet(text) || '(empty)'}` };
  }
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
