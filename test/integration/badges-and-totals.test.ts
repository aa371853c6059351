import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BadgeList, HistoryRange, ShieldsBadge, Summary } from '../../sidecar/contract/index.js';
import { waitFor } from '../helpers/ports.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { sidecarOnRclone, type RcloneSidecar } from '../helpers/sidecarOnRclone.js';

const shieldsSchema = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'shields', 'endpoint.schema.json'), 'utf8'));
const validShields = new Ajv2020({ allErrors: true }).compile(shieldsSchema);

let work: string;
let rclone: RcloneDaemon;
let sidecar: RcloneSidecar;

const badgeFiles = () => readdirSync(path.join(sidecar.out, 'data', 'badges')).sort();
const badge = (name: string) => JSON.parse(readFileSync(path.join(sidecar.out, 'data', 'badges', `${name}.json`), 'utf8')) as ShieldsBadge;

/** Every badge file passes shields' endpoint schema, and badges.json lists exactly the files there, saying what they say. */
function expectShieldsBadges(): Record<string, ShieldsBadge> {
  const list = sidecar.data<BadgeList>('badges');
  expect(list.badges.map((b) => path.posix.basename(b.path)).sort()).toEqual(badgeFiles());
  const all: Record<string, ShieldsBadge> = {};
  for (const file of badgeFiles()) {
    const b = JSON.parse(readFileSync(path.join(sidecar.out, 'data', 'badges', file), 'utf8'));
    expect(validShields(b), `${file}: ${JSON.stringify(validShields.errors)}`).toBe(true);
    all[file.replace(/\.json$/, '')] = b;
  }
  return all;
}

/** The summary's period sums of the published 90-day "total" buckets, as a reader of history-90d.json would make them. */
function sumsOf(h: HistoryRange, from: string, to: string) {
  const total = h.series.find((s) => s.key === 'total')!;
  const [a, b] = [Date.parse(from) / 1000, Date.parse(to) / 1000];
  const sum = { bytes: 0, files: 0, failures: 0, saChanges: 0, refusals: 0, uploadingSeconds: 0 };
  total.t.forEach((t, i) => {
    if (t === null || t < a || t >= b) return;
    sum.bytes += total.bytes[i]!;
    sum.files += total.files![i]!;
    sum.failures += total.errors[i]!;
    sum.saChanges += total.saChanges![i]!;
    sum.refusals += total.refusals![i]!;
    sum.uploadingSeconds += total.uploadingSeconds![i]!;
  });
  return sum;
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-badges-'));
  rclone = new RcloneDaemon(path.join(work, 'rclone'));
  await rclone.start();
  sidecar = await sidecarOnRclone(rclone, work, { interval: 0.5 });
});

afterAll(async () => {
  await sidecar?.proc.stop();
  await rclone?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('badges and totals from a sidecar watching a real rclone upload', () => {
  it('say uploading with the real speed while rclone copies, then idle, with the day’s bytes in the totals and the uploaded-today badge', async () => {
    const idle = expectShieldsBadges();
    expect(Object.keys(idle).sort()).toEqual(['pool-left', 'sas-usable', 'speed', 'state', 'uploaded-today']);
    expect(idle.state).toMatchObject({ label: 'upload', message: 'idle', color: 'lightgrey' });

    const src = path.join(work, 'src');
    makeFiles(src, [
      ['one.mkv', 4_000_000],
      ['two.mkv', 4_000_000],
    ]);
    await rclone.bwlimit('1M');
    const job = await rclone.copy(src, path.join(work, 'dst'));
    const busy = await waitFor(
      'the state badge saying uploading and the speed badge a speed',
      () => {
        const [state, speed] = [badge('state'), badge('speed')];
        return state.message === 'uploading' && /^[1-9][\d.]* (kiB|KiB|MiB)\/s$/.test(speed.message) ? { state, speed } : null;
      },
      30_000,
      100,
    );
    expect(busy.state.color).toBe('brightgreen');
    expect(busy.speed.color).toBe('brightgreen');
    expectShieldsBadges();

    await rclone.bwlimit('off');
    expect((await rclone.waitJob(job)).success).toBe(true);
    const done = await waitFor(
      'idle badges and the day’s totals',
      () => {
        const s = sidecar.data<Summary>('summary');
        // One publish writes its files one after another (summary.json, then each badge): a read
        // between two of them sees the new one and the old other, so all are waited for together.
        return badge('state').message === 'idle' && badge('speed').message === '0 B/s' && s.periods.today.files >= 2 && s.periods.today.bytes >= 8_000_000 && /^[\d.]+ MiB$/.test(badge('uploaded-today').message) ? s : null;
      },
      30_000,
      100,
    );
    expect(badge('speed')).toMatchObject({ message: '0 B/s', color: 'lightgrey' });
    expect(done.periods.today.uploadingSeconds).toBeGreaterThan(0);
    expect(done.periods.today.failures).toBe(0);
    expect(done.timeZone.name).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    for (const p of ['thisWeek', 'thisMonth', 'last30Days'] as const) expect(done.periods[p].bytes).toBeGreaterThanOrEqual(done.periods.today.bytes);
    expectShieldsBadges();
    expectValidOutput(sidecar.out);
  });

  it('total, for every period, what the published 90-day buckets add up to', async () => {
    // Two files, two writes: read until a summary and the range it was made from are on disk together.
    await waitFor(
      'summary.json agreeing with history-90d.json',
      () => {
        const s = sidecar.data<Summary>('summary');
        const h = sidecar.data<HistoryRange>('history-90d');
        return Object.values(s.periods).every((p) => {
          const { label: _l, from, to, ...figures } = p;
          return JSON.stringify(figures) === JSON.stringify(sumsOf(h, from, to));
        });
      },
      30_000,
      100,
    );
    expect(sidecar.data<Summary>('summary').periods.today.bytes).toBeGreaterThanOrEqual(8_000_000);
  });

  it('leaves a badge file alone while what it says stays the same', async () => {
    const file = path.join(sidecar.out, 'data', 'badges', 'sas-usable.json');
    const before = statSync(file).mtimeMs;
    const beat = path.join(sidecar.out, 'data', 'heartbeat.json');
    const beatBefore = statSync(beat).mtimeMs;
    // Publishes go on (each beat rewrites heartbeat.json); the badge says the same, so it is not written.
    await waitFor('heartbeat.json written again', () => statSync(beat).mtimeMs > beatBefore, 30_000);
    expect(statSync(file).mtimeMs).toBe(before);
  });
});
