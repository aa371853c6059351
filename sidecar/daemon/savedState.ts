// Owns the state folder: the history, the finished transfers and the observed SA usage,
// read back at start and saved every minute and at stop, so a restart loses nothing.
import path from 'node:path';
import type { Transfer } from '../contract/index.js';
import { redactOrNull } from '../normalize/secrets.js';
import { SourceStatus } from '../sources/sourceStatus.js';
import { EventLog } from '../state/eventLog.js';
import { HistoryStore } from '../state/history.js';
import { ObservedUsage } from '../state/observedUsage.js';
import { RefusalStore } from '../state/refusalStore.js';
import type { Intake } from './intake.js';
import { StateFile } from './stateFile.js';

type Kept = Pick<Intake, 'history' | 'observed' | 'transfers' | 'refusals' | 'timeline'>;

export class SavedState {
  readonly status: SourceStatus;
  private readonly historyFile: StateFile<HistoryStore>;
  private readonly transfersFile: StateFile<Transfer[]>;
  private readonly observedFile: StateFile<ObservedUsage>;
  private readonly refusalsFile: StateFile<RefusalStore>;
  private readonly eventsFile: StateFile<EventLog>;
  /** The timeline as last saved: up to 2,000 events are not rewritten every minute for nothing. */
  private eventsSaved: { log: EventLog; version: number } | null = null;

  constructor(private readonly stateDir: string) {
    this.status = new SourceStatus('state:dir', 'state', 'state folder', stateDir);
    this.historyFile = new StateFile(path.join(stateDir, 'history.json'), (raw) => HistoryStore.restore(raw, Date.now()));
    this.transfersFile = new StateFile(path.join(stateDir, 'transfers.json'), restoreTransfers);
    this.observedFile = new StateFile(path.join(stateDir, 'observed-usage.json'), (raw) => ObservedUsage.restore(raw, Date.now()));
    this.refusalsFile = new StateFile(path.join(stateDir, 'sa-refusals.json'), (raw) => RefusalStore.restore(raw, Date.now()));
    this.eventsFile = new StateFile(path.join(stateDir, 'events.json'), (raw) => EventLog.restore(raw, Date.now()));
  }

  async restoreInto(kept: Kept): Promise<void> {
    const [history, transfers, observed] = await Promise.all([this.historyFile.load(), this.transfersFile.load(), this.observedFile.load()]);
    const problems: string[] = [];
    if (observed.kind === 'loaded') kept.observed = observed.value;
    else if (observed.kind === 'corrupt') problems.push(observed.message);
    if (history.kind === 'loaded') kept.history = history.value;
    else if (history.kind === 'corrupt') problems.push(history.message);
    if (transfers.kind === 'loaded') kept.transfers.add(transfers.value);
    else if (transfers.kind === 'corrupt') problems.push(transfers.message);
    const refusals = await this.refusalsFile.load();
    if (refusals.kind === 'loaded') kept.refusals = refusals.value;
    else if (refusals.kind === 'corrupt') problems.push(refusals.message);
    const events = await this.eventsFile.load();
    if (events.kind === 'loaded') kept.timeline = events.value;
    else if (events.kind === 'corrupt') problems.push(events.message);
    if (problems.length) this.status.fail('error', problems.join('; '), { hint: 'The unreadable file was moved aside with a .corrupt- suffix; nothing else is lost.' });
    else this.status.ok(null);
  }

  async save(kept: Kept): Promise<void> {
    try {
      await this.historyFile.save(kept.history.snapshot());
      await this.transfersFile.save(kept.transfers.list());
      await this.observedFile.save(kept.observed.snapshot());
      await this.refusalsFile.save(kept.refusals.snapshot());
      if (this.eventsSaved?.log !== kept.timeline || this.eventsSaved.version !== kept.timeline.version) {
        await this.eventsFile.save(kept.timeline.snapshot());
        this.eventsSaved = { log: kept.timeline, version: kept.timeline.version };
      }
      this.status.ok(null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      this.status.fail('error', `cannot save to ${this.stateDir}: ${code ?? (err as Error).message}`, {
        hint: 'History since the last save would be lost on a restart: check space and permissions of the state folder.',
      });
    }
  }
}

function restoreTransfers(raw: unknown): Transfer[] {
  if (!Array.isArray(raw)) throw new Error('not a list of transfers');
  return (
    raw
      .filter((t): t is Transfer => !!t && typeof t === 'object' && typeof (t as Transfer).id === 'string' && typeof (t as Transfer).completedAt === 'string')
      // Saved by a plowboard that did not redact yet: its rclone errors would be republished as they were.
      .map((t) => ({
        ...t,
        error: redactOrNull(typeof t.error === 'string' ? t.error : null),
        ...(typeof t.srcFs === 'string' ? { srcFs: redactOrNull(t.srcFs)! } : {}),
        ...(typeof t.dstFs === 'string' ? { dstFs: redactOrNull(t.dstFs)! } : {}),
      }))
  );
}
