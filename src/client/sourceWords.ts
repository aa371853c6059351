import type { SourceHealth } from '../../sidecar/contract/index.js';

/** Each source state in words a person can act on. */
export function sourceWords(s: SourceHealth): string {
  const what = s.kind === 'rclone' ? `rclone “${s.name}”` : s.name;
  switch (s.state) {
    case 'ok':
      return s.kind === 'rclone' ? `${what} is answering${s.version ? ` (${s.version})` : ''}.` : `${what} is read fine.`;
    case 'idle':
      return s.kind === 'rclone' ? 'rclone is not running — cloudplow starts it only during uploads.' : `${what} is idle.`;
    case 'unreachable':
      return `${what} does not answer.`;
    case 'auth_failed':
      return `${what} refused plowboard's credentials.`;
    case 'auth_required':
      return `${what} answers this call only when its remote control has a user set (rclone 1.74+).`;
    case 'error':
      return `${what} has a problem: ${(s.lastError?.message ?? 'unknown error').replace(/[.\s]+$/, '')}.`;
    case 'missing':
      return `${what}: not found.`;
  }
}
