import type { SourceHealth } from '../contract/index.js';
import { redact, redactOrNull } from '../normalize/secrets.js';

type State = SourceHealth['state'];

/**
 * The one shape every source reports its condition in. A source records outcomes here
 * instead of throwing into the loop; the writers turn it into health.json.
 */
export class SourceStatus {
  private state: State = 'missing';
  private since: string | null = null;
  private lastOkAt: string | null = null;
  private lastCheckedAt: string | null = null;
  private latencyMs: number | null = null;
  private lastError: SourceHealth['lastError'] = null;
  private hint: string | null = null;
  private version: string | undefined;
  private platform: string | undefined;
  private readonly notes = new Map<string, string>();
  private checked = false;
  /** How the target was found (which process, unit, variable or default placed it). */
  foundBy: string | null = null;

  constructor(
    readonly id: string,
    readonly kind: string,
    readonly name: string,
    readonly target: string,
  ) {}

  ok(latencyMs: number | null, now = new Date()): void {
    this.enter('ok', now);
    this.lastOkAt = now.toISOString();
    this.latencyMs = latencyMs === null ? null : Math.round(latencyMs * 10) / 10;
    this.hint = null;
  }

  fail(state: Exclude<State, 'ok'>, message: string, opts: { latencyMs?: number | null; hint?: string | null; now?: Date } = {}): void {
    const now = opts.now ?? new Date();
    this.enter(state, now);
    this.latencyMs = opts.latencyMs == null ? null : Math.round(opts.latencyMs * 10) / 10;
    // Every source's words pass here on their way to health.json: rclone's error bodies,
    // parse errors, paths; whatever secret they quote stops here.
    this.hint = redactOrNull(opts.hint ?? null);
    // "missing" and "idle" are normal conditions, not errors worth remembering.
    if (state !== 'missing' && state !== 'idle') this.lastError = { at: now.toISOString(), message: redact(message) };
  }

  setVersion(version: string | undefined, platform?: string): void {
    this.version = version;
    this.platform = platform;
  }

  /** A standing remark under a topic (what works only in part); null clears it. */
  note(topic: string, text: string | null): void {
    if (text === null) this.notes.delete(topic);
    else this.notes.set(topic, redact(text));
  }

  get current(): State {
    return this.state;
  }

  get hasBeenChecked(): boolean {
    return this.checked;
  }

  health(): SourceHealth {
    return {
      id: this.id,
      kind: this.kind,
      name: this.name,
      target: this.target,
      state: this.state,
      since: this.since,
      lastOkAt: this.lastOkAt,
      lastCheckedAt: this.lastCheckedAt,
      latencyMs: this.latencyMs,
      lastError: this.lastError,
      hint: this.hint,
      ...(this.version ? { version: this.version } : {}),
      ...(this.platform ? { platform: this.platform } : {}),
      ...(this.notes.size ? { notes: [...this.notes.values()] } : {}),
      ...(this.foundBy ? { foundBy: this.foundBy } : {}),
    };
  }

  private enter(state: State, now: Date): void {
    if (!this.checked || state !== this.state) this.since = now.toISOString();
    this.state = state;
    this.checked = true;
    this.lastCheckedAt = now.toISOString();
  }
}
