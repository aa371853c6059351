// Owns what the sources bring in between publishes: each rclone poll and each batch of
// finished transfers updates the live view, the transfer list and the counts waiting for
// the next history sample; sample() moves those counts into the history.
import type { LogEvent, SourceHealth, Transfer } from '../contract/index.js';
import type { Timing } from '../config/timing.js';
import { attributeTransfers, saPeriods } from '../normalize/saTimeline.js';
import type { RclonePoll } from '../sources/rclone.js';
import { HistoryStore, SAMPLE_SECONDS } from '../state/history.js';
import { LiveView, stableLive } from '../state/liveView.js';
import { EventLog } from '../state/eventLog.js';
import { LoggedTransfers } from '../state/loggedTransfers.js';
import { ObservedUsage } from '../state/observedUsage.js';
import type { Refusal } from '../normalize/saRefusals.js';
import { RefusalStore } from '../state/refusalStore.js';
import { ThroughputTracker } from '../state/throughput.js';
import { TransferLog } from '../state/transferLog.js';

/** History is sampled on its own clock, so a backed-off poll never reads as a gap. */
export const SAMPLE_MS = SAMPLE_SECONDS * 1000;
/** Polls further apart than this (a backed-off or suspended sidecar) count only this much uploading time. */
const MAX_UPLOADING_GAP_MS = 30_000;

interface Counts {
  bytes: number;
  errors: number;
  completed: number;
}

export class Intake {
  readonly live: LiveView;
  readonly transfers: TransferLog;
  /** Replaced by what the state folder held, when it held one. */
  history = new HistoryStore();
  observed = new ObservedUsage(Date.now());
  /** 403s and bans per SA seen in cloudplow's log; replaced by what the state folder held. */
  refusals = new RefusalStore();
  /** The timeline: what happened, derived at each publish. */
  timeline = new EventLog();
  /** The uploader and SA of the active session, as of the last publish. */
  uploading: { uploader: string | null; account: string | null } | null = null;
  private readonly logged = new LoggedTransfers();
  private readonly pending = new Map<string, Counts>();
  /** Bytes per uploader/SA since the last sample, as each poll found them: at an SA change each SA keeps its own. */
  private readonly pendingBySa = new Map<string, number>();
  private liveKey = '';
  /** The last poll's time and what was in flight then: the time until the next poll counts as uploading when something was. */
  private lastPoll: { at: number; inFlight: number } | null = null;
  private pendingUploadingMs = 0;

  constructor(
    instances: string[],
    timing: Timing,
    transfersLimit: number,
    /** cloudplow's log events, which say which uploader and SA uploaded each file; none without cloudplow. */
    private readonly events: () => readonly LogEvent[],
    /** Something changed that a publish would show: at once (`now`, an rclone poll), or with the next publish. */
    private readonly changed: (now: boolean) => void,
  ) {
    this.live = new LiveView(instances, new ThroughputTracker(timing.throughputWindowSeconds));
    this.transfers = new TransferLog(transfersLimit);
  }

  onPoll(poll: RclonePoll, state: SourceHealth['state']): void {
    const { bytesMoved } = this.live.apply(poll, state);
    if (poll.stats) this.logged.observe(poll.instance, poll.at.getTime(), poll.stats.transferring);
    // A poll that changed nothing (rclone idle, the same numbers) publishes nothing: the
    // heartbeat and sample timers keep index.json fresh meanwhile.
    const now = this.live.toLive('');
    const at = poll.at.getTime();
    // A backed-off poll (rclone gone) is not hours of uploading.
    if (this.lastPoll && this.lastPoll.inFlight > 0) this.pendingUploadingMs += Math.min(Math.max(0, at - this.lastPoll.at), MAX_UPLOADING_GAP_MS);
    this.lastPoll = { at, inFlight: now.total.inFlight };
    const key = JSON.stringify(stableLive(now));
    const liveChanged = key !== this.liveKey;
    this.liveKey = key;
    if (this.addTransfers(poll.instance, poll.transferred, bytesMoved) || liveChanged) this.changed(true);
  }

  /** rclone's Copied lines in cloudplow's log, made into transfers where no poll saw them. */
  onCopied(events: readonly LogEvent[]): void {
    this.onTransfers(this.logged.fromLog(events));
  }

  /** Refusals read from cloudplow's log: the publish after them shows them (the source's change already asks for one). */
  onRefusals(refusals: readonly Refusal[]): void {
    const now = Date.now();
    for (const r of refusals) this.refusals.add(r, now);
  }

  /** Finished transfers from cloudplow: transfer-stats.jsonl rows, or rclone's Copied lines in its log. */
  onTransfers(transfers: readonly Transfer[]): void {
    if (this.addTransfers(null, transfers, 0)) this.changed(false);
  }

  /** Finished transfers from rclone (an instance) or cloudplow (null); returns whether the list changed. */
  private addTransfers(instance: string | null, transfers: readonly Transfer[], bytesMoved: number): boolean {
    const before = this.transfers.list();
    const events = transfers.length ? this.events() : [];
    const added = this.transfers.add(events.length ? attributeTransfers(transfers, saPeriods(events)) : transfers);
    const changed = added.length > 0 || this.transfers.list() !== before;
    // cloudplow's rows count toward the total only: rclone's own instance series already has the bytes.
    const key = instance ?? 'cloudplow';
    const p = this.pending.get(key) ?? { bytes: 0, errors: 0, completed: 0 };
    p.bytes += bytesMoved;
    if (bytesMoved > 0 && this.uploading?.uploader && this.uploading.account) {
      const sa = `${this.uploading.uploader}\0${this.uploading.account}`;
      this.pendingBySa.set(sa, (this.pendingBySa.get(sa) ?? 0) + bytesMoved);
    }
    p.errors += added.filter((t) => !t.ok).length;
    p.completed += added.filter((t) => t.ok).length;
    this.pending.set(key, p);
    return changed;
  }

  /** cloudplow's SA changes and refusals, into the history at the moment each was logged; a line read again counts once. */
  onLogCounts(events: readonly LogEvent[]): void {
    const now = Date.now();
    const fresh = this.history.countedLog.fresh(events);
    for (const e of fresh) {
      const counts = { saChanges: e.kind === 'sa_cycled' ? 1 : 0, refusals: e.kind === 'trigger_hit' ? 1 : 0 };
      this.history.addLogCounts('total', Date.parse(e.time!), counts, now);
    }
    if (fresh.length) this.changed(false);
  }

  /**
   * Moves what the polls saw since the last sample into the history. Returns whether the
   * history now reads differently: between uploads it mostly does not, and nothing need be published.
   */
  sample(): boolean {
    const revision = this.history.revision;
    const now = Date.now();
    const uploadingSeconds = this.pendingUploadingMs / 1000;
    this.pendingUploadingMs = 0;
    const fromCloudplow = this.pending.get('cloudplow') ?? { bytes: 0, errors: 0, completed: 0 };
    const total = { bytes: 0, errors: fromCloudplow.errors, completed: fromCloudplow.completed };
    const live = this.live.toLive(new Date(now).toISOString());
    for (const inst of live.instances) {
      const p = this.pending.get(inst.name) ?? { bytes: 0, errors: 0, completed: 0 };
      this.history.record(`instance:${inst.name}`, now, { ...p, inFlight: inst.inFlight });
      total.bytes += p.bytes;
      total.errors += p.errors;
      total.completed += p.completed;
    }
    const sample = { ...total, inFlight: live.total.inFlight };
    this.history.record('total', now, { ...sample, uploadingSeconds });
    // What moved while a session was active belongs to its uploader and SA as well.
    if (this.uploading?.uploader) this.history.record(`uploader:${this.uploading.uploader}`, now, sample);
    const current = this.uploading?.uploader && this.uploading.account ? `${this.uploading.uploader}\0${this.uploading.account}` : null;
    if (current && !this.pendingBySa.has(current)) this.pendingBySa.set(current, 0);
    for (const [sa, bytes] of this.pendingBySa) {
      // Finished and failed counts go to the SA in use now; bytes to the SA in use when they moved.
      const [uploader, account] = sa.split('\0') as [string, string];
      this.history.record(`account:${uploader}/${account}`, now, sa === current ? { ...sample, bytes } : { bytes, errors: 0, completed: 0, inFlight: 0 }, { dailyOnly: true });
      this.observed.add(uploader, account, now, bytes);
    }
    this.pending.clear();
    this.pendingBySa.clear();
    return this.history.revision !== revision;
  }
}
