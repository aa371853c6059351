import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { POLLED_DIRECTLY, type Health, type Heartbeat, type Manifest } from '../../sidecar/contract/index.js';
import { SourceStatus } from '../../sidecar/sources/sourceStatus.js';
import { Publisher } from '../../sidecar/write/publisher.js';
import { writeSchemas } from '../../sidecar/write/schemas.js';
import { sidecarStopped } from '../../src/client/poller.js';
import { expectValidOutput } from '../helpers/schemas.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const t0 = Date.parse('2026-12-07T10:00:00Z');
const at = (s: number) => new Date(t0 + s * 1000);

function setUp(heartbeatSeconds: number) {
  const out = mkdtempSync(path.join(tmpdir(), 'plowboard-manifest-'));
  dirs.push(out);
  const status = new SourceStatus('output:data', 'output', 'output folder', out);
  const publisher = new Publisher(out, { version: 't', startedAt: at(0).toISOString(), heartbeatSeconds, intervals: { activeSeconds: 2, idleSeconds: 2, maxBackoffSeconds: 4 } }, status);
  const health = (s: number): Health => ({ schemaVersion: 1, generatedAt: at(s).toISOString(), state: 'ok', sidecar: { version: 't', startedAt: at(0).toISOString() }, sources: [] });
  const text = (name: string) => readFileSync(path.join(out, 'data', `${name}.json`), 'utf8');
  const live = (s: number, bytes: number) => ({ name: 'live', data: { schemaVersion: 1, generatedAt: at(s).toISOString(), bytes } });
  const accounts = (s: number, used: number) => ({ name: 'accounts', data: { schemaVersion: 1, generatedAt: at(s).toISOString(), used } });
  return { out, publisher, health, text, live, accounts };
}

describe('index.json, the manifest every page polls', () => {
  it('stays byte for byte the same while only live.json changes, and moves when a file announced in it does', async () => {
    const { publisher, health, text, live, accounts } = setUp(3600);
    await publisher.publish([live(0, 0), accounts(0, 10)], health(0), at(0));
    const first = text('index');
    const manifest = JSON.parse(first) as Manifest;
    expect(manifest).not.toHaveProperty('heartbeatAt');
    for (const name of POLLED_DIRECTLY) {
      const entry = manifest.files.find((f) => f.name === name)!;
      expect(entry.polled, name).toBe('directly');
    }
    expect(manifest.files.find((f) => f.name === 'accounts')!.polled).toBeUndefined();

    // Bytes move on every poll: live.json changes each time, the manifest never does.
    for (let s = 2; s <= 20; s += 2) {
      await publisher.publish([live(s, s * 1_000_000)], health(s), at(s));
      expect(JSON.parse(text('live')).bytes).toBe(s * 1_000_000);
      expect(text('index')).toBe(first);
    }
    // A file finished: accounts.json says something new, and the manifest announces it.
    await publisher.publish([live(22, 22_000_000), accounts(22, 11)], health(22), at(22));
    const moved = JSON.parse(text('index')) as Manifest;
    expect(moved.files.find((f) => f.name === 'accounts')!.changedAt).not.toBe(manifest.files.find((f) => f.name === 'accounts')!.changedAt);
    // live.json keeps the changedAt of its first write: a page polls it directly.
    expect(moved.files.find((f) => f.name === 'live')!.changedAt).toBe(manifest.files.find((f) => f.name === 'live')!.changedAt);
  });

  it('leaves the heartbeat to heartbeat.json, which beats while the manifest stands', async () => {
    const { out, publisher, health, text, live } = setUp(5);
    await publisher.publish([live(0, 0)], health(0), at(0));
    const first = text('index');
    const beats = new Set<string>();
    for (let s = 2; s <= 30; s += 2) {
      await publisher.publish([live(0, 0)], health(s), at(s));
      beats.add((JSON.parse(text('heartbeat')) as Heartbeat).heartbeatAt);
      expect(text('index')).toBe(first);
    }
    // A beat at least every 5 s over 30 s, and not at every publish.
    expect(beats.size).toBeGreaterThanOrEqual(5);
    expect(beats.size).toBeLessThan(15);
    const manifest = JSON.parse(first) as Manifest;
    const beat = JSON.parse(text('heartbeat')) as Heartbeat;
    expect(sidecarStopped(manifest, beat, at(30).getTime())).toBe(false);
    // Two beats and an interval after the last beat, the sidecar counts as stopped.
    expect(sidecarStopped(manifest, beat, Date.parse(beat.heartbeatAt) + (2 * 5 + 2) * 1000 + 1)).toBe(true);
    await writeSchemas(out);
    expectValidOutput(out, ['index', 'heartbeat', 'health']);
  });

  it('a one-off build writes one heartbeat, and pages never call it stopped', async () => {
    const { publisher, health, text, live } = setUp(0);
    await publisher.publish([live(0, 0)], health(0), at(0));
    const beat = JSON.parse(text('heartbeat')) as Heartbeat;
    expect(beat.heartbeatSeconds).toBe(0);
    await publisher.publish([live(0, 0)], health(100), at(100));
    expect(JSON.parse(text('heartbeat'))).toEqual(beat);
    expect(sidecarStopped(JSON.parse(text('index')) as Manifest, beat, at(100_000).getTime())).toBe(false);
  });
});
