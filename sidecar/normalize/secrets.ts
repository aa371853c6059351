/**
 * The one redactor for text that comes from outside: cloudplow's log lines, rclone's error
 * messages, the messages of every source in health.json. Applied where the text enters
 * (parsing a log line, normalizing an rclone answer, recording a source's failure), so
 * nothing downstream — data files, CSV, metrics, pages, snapshots — ever holds the secret.
 *
 * Two kinds of rule: shapes that say "a secret follows" (a `--*-pass` flag, `user:pass@`,
 * `Authorization:`, `token=`, an environment dump), and the literal values plowboard knows
 * to be secret (cloudplow's config, plowboard's own rclone password) wherever they appear,
 * whatever shape a library printed them in. File names are a different matter
 * (`snapshot --redact-names`, snapshot/redact.ts): they are not secrets and stay.
 */
export const REDACTED = '[redacted]';

/** Words that make a name (flag, key, variable, parameter) name a secret. */
const SECRET_WORD = String.raw`(?:pass|pwd|token|secret|key|auth|credential|cookie|signature|webhook)`;
/**
 * Flags whose value is a secret. Not `auth`: `--rc-no-auth` takes no value, and the word
 * after it would be taken for one. `--rc-user` (`--user`, `--sftp-user`…) because its value
 * is the other half of a login.
 */
const FLAG = String.raw`--(?:(?:[a-z0-9]+-)*user|[a-z0-9-]*(?:pass|token|secret|key|credential)[a-z0-9-]*)`;
/** A shell word as cloudplow's cmd_quote writes it: bare, '…' or "…" pieces run together. */
const SHELL_WORD = String.raw`(?:'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'"])+`;
const PY_STR = String.raw`(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")`;

type Rule = [RegExp, string | ((...m: string[]) => string)];

/** The marker in the quotes the value had, so a dict or JSON stays readable as one. */
const quotedLike = (value: string): string => (value.startsWith('"') ? `"${REDACTED}"` : value.startsWith("'") ? `'${REDACTED}'` : REDACTED);

const RULES: Rule[] = [
  // An environment dump, a Python dict repr ({'RCLONE_CONFIG_PASS': '…'}): every value goes,
  // whatever the key. A process's environment holds secrets under any name (a remote's
  // client secret, a database URL, PLEX_CLAIM) and its values tell a dashboard nothing; the
  // keys say what was set.
  [new RegExp(String.raw`(['"])([A-Z_][A-Z0-9_]*)\1(\s*:\s*)(${PY_STR})`, 'g'), (_m, q, k, sep, v) => `${q}${k}${q}${sep}${quotedLike(v!)}`],
  // A quoted key named like a secret, in a dict repr or JSON: {'token': '…'}, "apikey": 123, '--rc-pass': '…'.
  [
    new RegExp(String.raw`(['"])([\w.-]*${SECRET_WORD}[\w.-]*)\1(\s*[:=]\s*)(${PY_STR}|[^\s,}\]]+)`, 'gi'),
    (_m, q, k, sep, v) => `${q}${k}${q}${sep}${quotedLike(v!)}`,
  ],
  // rclone's command as a Python list: '--rc-pass', 'value'.
  [new RegExp(String.raw`(['"])(${FLAG})\1(,\s*)(['"])(?!-)(?:(?!\4)[^\n])*\4`, 'gi'), (_m, q, f, sep, q2) => `${q}${f}${q}${sep}${q2}${REDACTED}${q2}`],
  // The same as one list element: '--rc-pass=value'.
  [new RegExp(String.raw`(?<=')(${FLAG})=[^'\n]*`, 'gi'), (_m, f) => `${f}=${REDACTED}`],
  [new RegExp(String.raw`(?<=")(${FLAG})=[^"\n]*`, 'gi'), (_m, f) => `${f}=${REDACTED}`],
  // As a shell command line: --rc-pass=value, --rc-pass='va lue', --rc-pass value.
  [new RegExp(String.raw`(?<![\w'"-])(${FLAG})=${SHELL_WORD}`, 'gi'), (_m, f) => `${f}=${REDACTED}`],
  [new RegExp(String.raw`(?<![\w'"-])(${FLAG})(\s+)(?!-)${SHELL_WORD}`, 'gi'), (_m, f, sp) => `${f}${sp}${REDACTED}`],
  // user:pass@ (or a bare token@) in any URL; the user goes too, it is half of the login.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@'"]+@/gi, `$1${REDACTED}@`],
  // Headers: Authorization: Basic …, X-Plex-Token: …, Cookie: …
  [/\b((?:proxy-)?authorization|x-plex-token|x-api-key|api-key|cookie|set-cookie)(\s*:\s*)[^\r\n'"]+/gi, `$1$2${REDACTED}`],
  // A bearer token anywhere else. Not "Basic": prose says "basic authentication"; the header rule has the header.
  [/\b(bearer)(\s+)[A-Za-z0-9\-._~+/]{8,}=*/gi, `$1$2${REDACTED}`],
  // name=value where the name is a secret's: ?X-Plex-Token=…, &apikey=…, RCLONE_CONFIG_PASS=…
  [new RegExp(String.raw`(^|[?&;\s,(\[{'"])([\w.-]*${SECRET_WORD}[\w.-]*)=(?!\[redacted\])[^&\s'",;)\]}#]+`, 'gi'), `$1$2=${REDACTED}`],
];

/** Literal secrets shorter than this are removed only where a rule above sees them: "pass" or "1" would shred every line. */
export const MIN_LITERAL = 6;

export class Redactor {
  private literals: string[] = [];

  /** Values to remove wherever they appear (and in their URL-encoded form). Short ones are ignored. */
  remember(values: Iterable<string>): void {
    const all = new Set(this.literals);
    for (const v of values) {
      if (typeof v !== 'string' || v.length < MIN_LITERAL) continue;
      all.add(v);
      const encoded = encodeURIComponent(v);
      if (encoded !== v) all.add(encoded);
      const escaped = JSON.stringify(v).slice(1, -1);
      if (escaped !== v) all.add(escaped);
    }
    // Longest first: a secret that contains another is removed whole.
    this.literals = [...all].sort((a, b) => b.length - a.length);
  }

  forget(): void {
    this.literals = [];
  }

  redact(text: string): string {
    let out = text;
    for (const literal of this.literals) if (out.includes(literal)) out = out.split(literal).join(REDACTED);
    for (const [re, by] of RULES) out = out.replace(re, by as string);
    return out;
  }
}

/** The process's redactor: the commands tell it the secrets of the configuration they loaded. */
export const redactor = new Redactor();

export const redact = (text: string): string => redactor.redact(text);
export const redactOrNull = (text: string | null): string | null => (text === null ? null : redactor.redact(text));
