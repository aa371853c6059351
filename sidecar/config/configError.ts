/**
 * A configuration problem the user must fix. The CLI prints each of its `problems` as one
 * line and exits 2; `where` names the file, variable or flag, `key` the setting.
 */
export class ConfigError extends Error {
  constructor(
    readonly where: string,
    readonly key: string | null,
    readonly problem: string,
  ) {
    super(`${where}${key ? `: ${key}` : ''}: ${problem}`);
    this.name = 'ConfigError';
  }

  /** Each problem once, so that a configuration with several mistakes is fixed in one round. */
  get problems(): readonly ConfigError[] {
    return [this];
  }
}

/** Several problems of one configuration; `where`, `key` and `problem` are the first's. */
export class ConfigErrors extends ConfigError {
  constructor(private readonly all: readonly ConfigError[]) {
    const first = all[0]!;
    super(first.where, first.key, first.problem);
    this.message = all.map((e) => e.message).join('\n');
  }

  override get problems(): readonly ConfigError[] {
    return this.all;
  }
}

/** Gathers the problems of one configuration while the rest of it is still read. */
export class ConfigProblems {
  private readonly found: ConfigError[] = [];

  add(err: ConfigError): void {
    this.found.push(...err.problems);
  }

  /** `read()`, or `fallback` when it throws a ConfigError, which is kept for the report. */
  try<T>(read: () => T, fallback: T): T {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      this.add(err);
      return fallback;
    }
  }

  /** One problem throws as itself, so a single mistake reads exactly as it always has. */
  throwIfAny(): void {
    if (this.found.length === 1) throw this.found[0]!;
    if (this.found.length > 1) throw new ConfigErrors(this.found);
  }
}
