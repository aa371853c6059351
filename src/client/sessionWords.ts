import type { Session } from '../../sidecar/contract/index.js';
import { duration } from './format.js';

/** The upload session in short phrases, for the overview's banner and the kiosk. */
export const sessionHeading = (s: Session): string => (s.active ? 'Uploading now' : 'Last session');

export const uploaderText = (s: Session): string => s.uploader ?? 'uploader not known';

export function accountText(s: Session): string {
  const { index, of } = s.account;
  if (index == null) return 'SA not known';
  return of ? `SA ${index} of ${of}` : `SA ${index}`;
}

export function stageText(s: Session): string {
  const p = s.stage.params;
  const parts = [s.stage.number == null ? null : `stage ${s.stage.number}`, p?.strategy ?? null, p?.maxTransfer ? `max ${p.maxTransfer}` : null];
  return parts.filter(Boolean).join(' · ') || 'stage not known';
}

/** While active, from its start to now; afterwards, how long it took. */
export function elapsedSeconds(s: Session, now = Date.now()): number | null {
  if (s.active && s.startedAt) return (now - Date.parse(s.startedAt)) / 1000;
  return s.durationSeconds;
}

export const etaText = (s: Session): string => (s.active ? (s.etaSeconds == null ? 'ETA not known' : `ETA ${duration(s.etaSeconds)}`) : s.endedAt ? 'finished' : 'ended');

/** Why the session counts as active or not, as the sidecar decided it from evidence. */
export const whyText = (s: Session): string => (s.evidence.length ? `${s.active ? 'Active' : 'Not active'}: ${s.evidence.join('; ')}.` : '');

/** The fork's own figures where they contradict plowboard's: shown as the fork's, beside plowboard's. */
export const forkText = (s: Session): string => (s.forkSays?.differences.length ? `The fork's session file differs: ${s.forkSays.differences.join('; ')}.` : '');
