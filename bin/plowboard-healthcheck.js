#!/usr/bin/env node
// Container health: the built-in server answers and the sidecar's heartbeat is fresh.
// Exit 0 healthy, 1 not, with one line saying why.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const host = process.env.PLOWBOARD_HEALTHCHECK_HOST ?? '127.0.0.1';
const port = process.env.PLOWBOARD_PORT ?? '47949';
try {
  const res = await fetch(`http://${host}:${port}/data/index.json`, { signal: AbortSignal.timeout(4000) });
  // With --auth-file the server answers only to a login, which this check does not hold:
  // a 401 shows the server is up, and the heartbeat is read from the folder it serves.
  let index;
  if (res.status === 401) index = JSON.parse(await readFile(path.join(process.env.PLOWBOARD_OUTPUT ?? 'output', 'data', 'index.json'), 'utf8'));
  else if (res.ok) index = await res.json();
  else throw new Error(`HTTP ${res.status}`);
  // The beat is in heartbeat.json (index.json changes only when a file does); an older sidecar kept it in index.json.
  let beat = index.heartbeatAt;
  if (!beat && res.status === 401) beat = JSON.parse(await readFile(path.join(process.env.PLOWBOARD_OUTPUT ?? 'output', 'data', 'heartbeat.json'), 'utf8')).heartbeatAt;
  else if (!beat) beat = (await (await fetch(`http://${host}:${port}/data/heartbeat.json`, { signal: AbortSignal.timeout(4000) })).json()).heartbeatAt;
  const age = (Date.now() - Date.parse(beat)) / 1000;
  const limit = 2 * index.heartbeatSeconds + index.intervals.activeSeconds;
  if (!(age <= limit)) throw new Error(`heartbeat ${Math.round(age)} s old (limit ${limit} s)`);
  process.stdout.write(`healthy: heartbeat ${Math.round(age)} s old\n`);
} catch (err) {
  process.stdout.write(`unhealthy: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
