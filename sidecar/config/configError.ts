/**
 * A configuration problem the user must fix. The CLI prints its message as one line and
 * exits non-zero; `where` names the file, variable or flag, `key` the setting.
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
}
