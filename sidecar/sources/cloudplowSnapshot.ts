import type { UploaderLayout } from '../config/cloudplowLayout.js';
import type { LogEvent, LogLine } from '../contract/index.js';

/**
 * The last good reading of every cloudplow file; null where a file is absent or never read
 * well. Each part keeps its object while its file reads the same, so views can skip work by identity.
 */
export interface CloudplowSnapshot {
  uploaders: Array<UploaderLayout & { serviceAccounts: string[] }>;
  quotaCache: unknown;
  sessionState: unknown;
  learnedSizes: unknown;
  saBans: Record<string, Record<string, number | null> | null>;
  uploaderBans: Record<string, number | null>;
  log: { file: string | null; lines: readonly LogLine[]; events: readonly LogEvent[]; lastLineAtMs: number | null };
  lock: { present: boolean; sinceMs: number | null; ownerRunning?: boolean | null } | null;
}

export const EMPTY_SNAPSHOT: CloudplowSnapshot = {
  uploaders: [],
  quotaCache: null,
  sessionState: null,
  learnedSizes: null,
  saBans: {},
  uploaderBans: {},
  log: { file: null, lines: [], events: [], lastLineAtMs: null },
  lock: null,
};
