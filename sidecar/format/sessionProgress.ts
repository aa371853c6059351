import type { Live, Session } from '../contract/index.js';

/**
 * The session as whoever shows it should (the pages, the snapshot): session.json refreshes an
 * active session's moving figures at most every half heartbeat, live.json's sessionProgress
 * at every poll. Taken only while the session is active: an ended one's figures are final.
 */
export function withProgress(session: Session | null, live: Pick<Live, 'sessionProgress'> | null | undefined): Session | null {
  const p = live?.sessionProgress;
  if (!session?.active || !p) return session;
  return {
    ...session,
    files: { ...session.files, done: p.filesDone },
    bytes: { ...session.bytes, done: p.bytesDone },
    averageSpeed: p.averageSpeed,
    etaSeconds: p.etaSeconds,
  };
}
