import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript beside bin/plowboard.js, read before anything is compiled
import { LONG_RUNNING_FLAGS, runtimeFlagsMissing } from '../../bin/v8Flags.js';

const missing = runtimeFlagsMissing as (args: string[], execArgv: string[], nodeOptions?: string) => string[];

describe('V8 flags for the commands that keep running', () => {
  it('are added to run, sidecar, serve and demo, and to flags alone (which mean run)', () => {
    for (const args of [['run'], ['sidecar', '--output', 'x'], ['serve'], ['demo'], [], ['--interval', '2']]) {
      expect(missing(args, [], '')).toEqual(LONG_RUNNING_FLAGS);
    }
  });

  it('are left out of the commands that end at once', () => {
    for (const args of [['build'], ['check'], ['snapshot', '--out', 'x'], ['--help'], ['-V']]) expect(missing(args, [], '')).toEqual([]);
  });

  it("give way to the user's own value, on the command line or in NODE_OPTIONS, spelled either way", () => {
    expect(missing(['run'], ['--max-semi-space-size=8'], '')).toEqual([]);
    expect(missing(['run'], [], '--max-old-space-size=100 --max_semi_space_size=4')).toEqual([]);
    expect(missing(['run'], ['--inspect'], undefined)).toEqual(LONG_RUNNING_FLAGS);
  });
});
