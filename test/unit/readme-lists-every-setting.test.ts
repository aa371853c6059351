import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS, flagOf, type Setting } from '../../sidecar/config/settings.js';

/**
 * The README's Configuration table is written for people, with words no table row could
 * make; it must still name every setting of sidecar/config/settings.ts with its flag,
 * variable, config key and default, and nothing the program does not read.
 */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const start = readme.indexOf('\n## Configuration');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
const rows = section.split('\n').filter((l) => l.startsWith('| `') || l.startsWith('| —'));
const settings = Object.entries(SETTINGS) as Array<[keyof typeof SETTINGS, Setting]>;

describe("the README's Configuration table", () => {
  for (const [name, s] of settings) {
    it(`has ${name} with its flag, variable, key and default in one row`, () => {
      const names = [s.arg && `\`${flagOf(name)} `, s.env && `\`${s.env}\``, s.key && `\`${s.key}`].filter((n): n is string => Boolean(n));
      const row = rows.find((r) => names.some((n) => r.includes(n)));
      expect(row, `no row for ${name}`).toBeDefined();
      for (const n of names) expect(row, name).toContain(n);
      if (s.default !== undefined) expect(row, name).toContain(`\`${s.default}\``);
    });
  }

  it('names no flag or variable that the settings table does not have', () => {
    const flags = new Set(settings.filter(([, s]) => s.arg).map(([name]) => flagOf(name)));
    const envs = new Set(settings.map(([, s]) => s.env));
    const text = rows.join('\n');
    for (const [, flag] of text.matchAll(/`(--[a-z-]+)/g)) expect(flags, flag).toContain(flag);
    for (const [env] of text.matchAll(/PLOWBOARD_[A-Z_]+/g)) expect(envs, env).toContain(env);
  });
});
