import type { SnapshotData } from './snapshotData.js';

/**
 * `--redact-names`: every file name becomes `file-N.ext` before anything is rendered or
 * copied. Names are gathered from where rclone and cloudplow name files (transfers, files
 * in flight or being checked, copy events, rclone's own log lines), numbered in that
 * order, then replaced wherever free text repeats them (log lines, errors, hints).
 * Service account and uploader names are not file names and stay.
 */
export function redactNames(input: SnapshotData): SnapshotData {
  const data = structuredClone(input);
  const names = new Names();

  for (const inst of data.live?.instances ?? []) {
    for (const t of inst.transferring) names.add(t.name);
    for (const n of inst.checking) names.add(n);
  }
  for (const t of data.transfers?.transfers ?? []) names.add(t.name);
  for (const e of data.logs?.events ?? []) if ((e.kind === 'file_copied' || e.kind === 'file_moved') && e.detail) names.add(e.detail);
  for (const line of data.logs?.lines ?? []) {
    const m = RCLONE_OBJECT.exec(line.message);
    if (m) names.add(m[2]!);
  }
  for (const e of data.events?.events ?? []) {
    if (e.file) names.add(e.file);
    const m = e.evidence.line === null ? null : RCLONE_OBJECT.exec(e.evidence.line);
    if (m) names.add(m[2]!);
  }

  const text = (s: string) => names.replaceIn(s);
  const textOrNull = (s: string | null) => (s === null ? null : text(s));
  for (const inst of data.live?.instances ?? []) {
    for (const t of inst.transferring) t.name = names.placeholder(t.name);
    inst.checking = inst.checking.map((n) => names.placeholder(n));
    inst.lastError = textOrNull(inst.lastError);
  }
  for (const t of data.transfers?.transfers ?? []) {
    t.name = names.placeholder(t.name);
    t.error = textOrNull(t.error);
  }
  for (const line of data.logs?.lines ?? []) line.message = text(line.message);
  for (const e of data.logs?.events ?? []) {
    e.detail = textOrNull(e.detail);
    e.message = text(e.message);
  }
  for (const e of data.events?.events ?? []) {
    e.file = e.file === null ? null : names.placeholder(e.file);
    e.summary = text(e.summary);
    e.evidence.line = textOrNull(e.evidence.line);
    e.evidence.figure = textOrNull(e.evidence.figure);
  }
  for (const s of data.health?.sources ?? []) {
    if (s.lastError) s.lastError.message = text(s.lastError.message);
    s.hint = textOrNull(s.hint);
  }
  return data;
}

/** An rclone log line as cloudplow logs it: `2026/11/22 10:00:30 ERROR : <object>: <what happened>`. */
const RCLONE_OBJECT = /^(\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d [A-Z]+ *: )(.+?)(: .*)$/s;

class Names {
  private readonly map = new Map<string, string>();
  /** Longest first, so a path is replaced before its own base name inside it. */
  private patterns: [string, string][] | null = null;

  add(name: string): void {
    if (!name || this.map.has(name)) return;
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 ? name.slice(dot) : '';
    // Only an ordinary extension is kept: a hostile name must not smuggle text through it.
    this.map.set(name, `file-${this.map.size + 1}${/^\.[A-Za-z0-9]{1,5}$/.test(ext) ? ext : ''}`);
    this.patterns = null;
  }

  placeholder(name: string): string {
    this.add(name);
    return this.map.get(name)!;
  }

  replaceIn(text: string): string {
    if (!this.patterns) {
      const pairs = new Map<string, string>();
      for (const [name, ph] of this.map) {
        pairs.set(name, ph);
        // cloudplow and rclone often name a file by its base name alone.
        const base = name.slice(name.lastIndexOf('/') + 1);
        if (base.length >= 4 && !pairs.has(base)) pairs.set(base, ph);
      }
      this.patterns = [...pairs].sort((a, b) => b[0].length - a[0].length || (a[0] < b[0] ? -1 : 1));
    }
    let out = text;
    for (const [name, ph] of this.patterns) out = out.split(name).join(ph);
    const m = RCLONE_OBJECT.exec(out);
    return m && !/^file-\d+(\.[A-Za-z0-9]{1,5})?$/.test(m[2]!) ? `${m[1]}${this.placeholder(m[2]!)}${m[3]}` : out;
  }
}
