/**
 * Where JSON text stops being JSON, as line and column only. Node 20's own parse messages
 * quote the text around the error (`Unexpected token 'S', ..."token": SECRET"...`), and the
 * files plowboard parses hold tokens and passwords: a message built from this never does.
 */
export interface JsonErrorAt {
  line: number;
  column: number;
}

/** Position of the first syntax error, or null when the text is valid JSON. */
export function jsonErrorAt(text: string): JsonErrorAt | null {
  const offset = new Scanner(text).firstError();
  return offset === null ? null : lineColumn(text, offset);
}

/** The message for a file that does not parse: never a character of its content. */
export function jsonSyntaxMessage(text: string, at: JsonErrorAt | null = jsonErrorAt(text)): string {
  if (!text.trim()) return 'not valid JSON: it is empty';
  return at ? `not valid JSON at line ${at.line}, column ${at.column}` : 'not valid JSON';
}

function lineColumn(text: string, offset: number): JsonErrorAt {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Deeper than this is reported as an error where it starts: the scanner recurses. */
const MAX_DEPTH = 1000;

class Fail {
  constructor(readonly at: number) {}
}

/** A strict RFC 8259 scanner that only looks for the first offending offset. */
class Scanner {
  private i = 0;

  constructor(private readonly s: string) {}

  firstError(): number | null {
    try {
      this.ws();
      this.value(0);
      this.ws();
      if (this.i < this.s.length) throw new Fail(this.i);
      return null;
    } catch (err) {
      if (err instanceof Fail) return err.at;
      throw err;
    }
  }

  private ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i]!)) this.i++;
  }

  private value(depth: number): void {
    if (depth > MAX_DEPTH) throw new Fail(this.i);
    const c = this.s[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return;
      }
    }
    throw new Fail(this.i);
  }

  private object(depth: number): void {
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') throw new Fail(this.i);
      this.string();
      this.ws();
      if (this.s[this.i] !== ':') throw new Fail(this.i);
      this.i++;
      this.ws();
      this.value(depth + 1);
      this.ws();
      const c = this.s[this.i];
      if (c === '}') {
        this.i++;
        return;
      }
      if (c !== ',') throw new Fail(this.i);
      this.i++;
    }
  }

  private array(depth: number): void {
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      this.value(depth + 1);
      this.ws();
      const c = this.s[this.i];
      if (c === ']') {
        this.i++;
        return;
      }
      if (c !== ',') throw new Fail(this.i);
      this.i++;
    }
  }

  private string(): void {
    this.i++;
    while (this.i < this.s.length) {
      const code = this.s.charCodeAt(this.i);
      if (code === 34) {
        this.i++;
        return;
      }
      if (code < 0x20) throw new Fail(this.i);
      if (code === 92) {
        const e = this.s[this.i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.s.slice(this.i + 2, this.i + 6))) throw new Fail(this.i);
          this.i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) throw new Fail(this.i);
        this.i += 2;
        continue;
      }
      this.i++;
    }
    throw new Fail(this.i);
  }

  private number(): void {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = this.i;
    if (!m.exec(this.s)) throw new Fail(this.i);
    this.i = m.lastIndex;
  }
}
