/**
 * V8 flags for the commands that keep running (measured with bench/memoryIdle.ts: at 120 SAs,
 * a busy rclone and 20 viewers, resident memory went from ~112 to ~85 MiB, CPU within noise).
 * Plain JavaScript beside bin/plowboard.js: it is read before anything is compiled.
 */
export const LONG_RUNNING_FLAGS = ['--max-semi-space-size=1'];

const LONG_RUNNING = new Set(['run', 'sidecar', 'serve', 'demo']);

/** The command cli.ts will run: none given, or flags only, means `run`. */
function commandOf(args) {
  const first = args[0];
  if (!first) return 'run';
  if (first.startsWith('-')) return ['-h', '--help', '-V', '--version'].includes(first) ? null : 'run';
  return first;
}

/** The flags a long-running command should have and was not started with (a user's own setting wins). */
export function runtimeFlagsMissing(args, execArgv, nodeOptions = '') {
  if (!LONG_RUNNING.has(commandOf(args))) return [];
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map((a) => a.split('=')[0].replaceAll('_', '-'));
  return LONG_RUNNING_FLAGS.filter((flag) => !given.includes(flag.split('=')[0]));
}
