#!/usr/bin/env node
import { runtimeFlagsMissing } from './v8Flags.js';

// A sidecar runs for months: V8's young generation, left to itself, grows to 32 MiB under a
// burst of page requests and keeps it. The flags are read only when V8 starts, so a
// long-running command started without them replaces itself with a Node that has them
// (same process id, for systemd and Docker) where Node can (process.execve, 22.15+); the
// unit and the image pass them on the command line.
const missing = runtimeFlagsMissing(process.argv.slice(2), process.execArgv, process.env.NODE_OPTIONS);
if (missing.length && typeof process.execve === 'function') {
  process.execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)], process.env);
}

const { main } = await import('../dist/sidecar/cli.js');
main(process.argv).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`plowboard: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
