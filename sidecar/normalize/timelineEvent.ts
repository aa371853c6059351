import { createHash } from 'node:crypto';
import type { EventKind, EventSeverity, TimelineEvent } from '../contract/index.js';

export interface EventFacts {
  kind: EventKind;
  time: string;
  severity: EventSeverity;
  summary: string;
  /** What makes this happening itself and no other: hashed into the id with the kind. */
  identity: readonly unknown[];
  /** The id already worked out from this identity (a cache), so that it is not hashed again. */
  id?: string;
  uploader?: string | null;
  account?: string | null;
  file?: string | null;
  until?: string | null;
  count?: number;
  source: string;
  line?: string | null;
  figure?: string | null;
}

/**
 * A stable id: the same happening read again (the whole log re-read at a restart, a rotated
 * file read from its start) hashes to the same id, so the store keeps it once.
 */
export function eventId(kind: string, identity: readonly unknown[]): string {
  return `${kind}:${createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 20)}`;
}

export function timelineEvent(f: EventFacts): TimelineEvent {
  return {
    id: f.id ?? eventId(f.kind, f.identity),
    time: f.time,
    kind: f.kind,
    severity: f.severity,
    summary: f.summary,
    uploader: f.uploader ?? null,
    account: f.account ?? null,
    file: f.file ?? null,
    until: f.until ?? null,
    count: f.count ?? 1,
    evidence: { source: f.source, line: f.line ?? null, figure: f.figure ?? null },
  };
}
