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
/*
 * Names are matched whole and at once — a lookahead finds the word, a captured lookahead
 * plus backreference takes the name without backtracking into it — so a 64 KiB line of
 * `--pass-pass-…` costs one pass, not seconds.
 */
/** A name (key, variable, parameter) with a secret's word in it, in group `k`. */
const SECRET_NAME = String.raw`(?=[\w.-]*?${SECRET_WORD})(?=(?<k>[\w.-]+))\k<k>`;
/**
 * A flag whose value is a secret, in group `f`. Not `auth`: `--rc-no-auth` takes no value,
 * and the word after it would be taken for one. `--rc-user` (`--user`, `--sftp-user`…)
 * because its value is the other half of a login.
 */
const FLAG = String.raw`(?<f>--(?=[a-z0-9-]*?(?:pass|token|secret|key|credential)|(?:[a-z0-9]+-)*user(?![a-z0-9-]))(?=(?<fn>[a-z0-9-]+))\k<fn>)`;
/** A shell word as cloudplow's cmd_quote writes it: bare, '…' or "…" pieces run together. */
const SHELL_WORD = String.raw`(?:'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'"])+`;
const PY_STR = String.raw`(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")`;

type Groups = Record<string, string>;
type Rule = [RegExp, (g: Groups) => string];

/** The marker in the quotes the value had, so a dict or JSON stays readable as one. */
const quotedLike = (value: string): string => (value.startsWith('"') ? `"${REDACTED}"` : value.startsWith("'") ? `'${REDACTED}'` : REDACTED);
const re = (source: string, flags = 'gi') => new RegExp(source, flags);

const RULES: Rule[] = [
  // An environment dump, a Python dict repr ({'RCLONE_CONFIG_PASS': '…'}): every value goes,
  // whatever the key. A process's environment holds secrets under any name (a remote's
  // client secret, a database URL, PLEX_CLAIM) and its values tell a dashboard nothing; the
  // keys say what was set.
  [re(String.raw`(?<q>['"])(?<e>[A-Z_][A-Z0-9_]*)\k<q>(?<sep>\s*:\s*)(?<v>${PY_STR})`, 'g'), (g) => `${g.q}${g.e}${g.q}${g.sep}${quotedLike(g.v!)}`],
  // A quoted key named like a secret, in a dict repr or JSON: {'token': '…'}, "apikey": 123, '--rc-pass': '…'.
  [re(String.raw`(?<q>['"])${SECRET_NAME}\k<q>(?<sep>\s*[:=]\s*)(?<v>${PY_STR}|[^\s,}\]]+)`), (g) => `${g.q}${g.k}${g.q}${g.sep}${quotedLike(g.v!)}`],
  // rclone's command as a Python list: '--rc-pass', 'value'.
  [re(String.raw`(?<q>['"])${FLAG}\k<q>(?<sep>,\s*)(?<q2>['"])(?!-)(?:(?!\k<q2>)[^\n])*\k<q2>`), (g) => `${g.q}${g.f}${g.q}${g.sep}${g.q2}${REDACTED}${g.q2}`],
  // The same as one list element: '--rc-pass=value'.
  [re(String.raw`(?<=')${FLAG}=[^'\n]*`), (g) => `${g.f}=${REDACTED}`],
  [re(String.raw`(?<=")${FLAG}=[^"\n]*`), (g) => `${g.f}=${REDACTED}`],
  // As a shell command line: --rc-pass=value, --rc-pass='va lue', --rc-pass value.
  [re(String.raw`(?<![\w'"-])${FLAG}=${SHELL_WORD}`), (g) => `${g.f}=${REDACTED}`],
  [re(String.raw`(?<![\w'"-])${FLAG}(?<sp>\s+)(?!-)${SHELL_WORD}`), (g) => `${g.f}${g.sp}${REDACTED}`],
  // user:pass@ (or a bare token@) in any URL; the user goes too, it is half of the login.
  [re(String.raw`(?<![a-z0-9+.-])(?<s>[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@'"]+@`), (g) => `${g.s}${REDACTED}@`],
  // Headers: Authorization: Basic …, X-Plex-Token: …, Cookie: …
  [re(String.raw`\b(?<h>(?:proxy-)?authorization|x-plex-token|x-api-key|api-key|cookie|set-cookie)(?<sep>\s*:\s*)[^\r\n'"]+`), (g) => `${g.h}${g.sep}${REDACTED}`],
  // A bearer token anywhere else. Not "Basic": prose says "basic authentication"; the header rule has the header.
  [re(String.raw`\b(?<b>bearer)(?<sp>\s+)[A-Za-z0-9\-._~+/]{8,}=*`), (g) => `${g.b}${g.sp}${REDACTED}`],
  // name=value where the name is a secret's: ?X-Plex-Token=…, &apikey=…, RCLONE_CONFIG_PASS=…
  [re(String.raw`(?<pre>^|[?&;\s,(\[{'"])${SECRET_NAME}=(?!\[redacted\])[^&\s'",;)\]}#]+`), (g) => `${g.pre}${g.k}=${REDACTED}`],
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
    for (const [pattern, by] of RULES) out = out.replace(pattern, (...args: unknown[]) => by(args[args.length - 1] as Groups));
    return out;
  }
}

/** The process's redactor: the commands tell it the secrets of the configuration they loaded. */
export const redactor = new Redactor();

export const redact = (text: string): string => redactor.redact(text);
export const redactOrNull = (text: string | null): string | null => (text === null ? null : redactor.redact(text));
