import { describe, expect, it } from 'vitest';
import { parseLenientJson } from '../../sidecar/sources/lenientJson.js';

describe('JSON as Python writes it', () => {
  it('parses Infinity, -Infinity and NaN tokens', () => {
    const v = parseLenientJson('{"max": Infinity, "min": -Infinity, "x": NaN, "n": [1, 2]}') as Record<string, number>;
    expect(v.max).toBe(Number.POSITIVE_INFINITY);
    expect(v.min).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(v.x)).toBe(true);
  });

  it('leaves the words alone inside strings', () => {
    expect(parseLenientJson('{"name": "Infinity War (2018).mkv", "v": Infinity}')).toEqual({ name: 'Infinity War (2018).mkv', v: Infinity });
  });

  it('refuses a truncated file, as a torn write leaves it', () => {
    expect(() => parseLenientJson('{"google": {"a": Infinity, "b": ')).toThrow();
    expect(() => parseLenientJson('{"google": {"a": 1')).toThrow();
    expect(() => parseLenientJson('')).toThrow();
  });

  it('refuses absurd nesting with a clear error instead of a stack overflow', () => {
    const deep = `${'['.repeat(10_000)}Infinity${']'.repeat(10_000)}`;
    expect(() => parseLenientJson(deep)).toThrow(/nested deeper than 512/);
  });
});
