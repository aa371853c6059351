import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { Accounts, Health, Live, SourceHealth, Summary } from '../../sidecar/contract/index.js';
import { makeBadges } from '../../sidecar/state/badges.js';
import { EVIL_NAME, sampleData } from '../helpers/sampleOutput.js';

const shieldsSchema = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'shields', 'endpoint.schema.json'), 'utf8'));
const validShields = new Ajv2020({ allErrors: true }).compile(shieldsSchema);
const GiB = 1024 ** 3;

function inputs() {
  const d = structuredClone(sampleData({ now: Date.parse('2026-11-23T04:12:34.567Z') }));
  return { live: d.live as Live, sources: (d.health as Health).sources, accounts: d.accounts as Accounts, summary: d.summary as Summary, generatedAt: '2026-11-23T04:12:34.567Z' };
}
const byName = (b: ReturnType<typeof makeBadges>) => Object.fromEntries(b.files.map((f) => [f.name.replace('badges/', ''), f.badge]));

describe('the badges', () => {
  it('follow the upload: uploading, stalled when everything in flight stopped, idle, unreachable as an error', () => {
    const i = inputs();
    expect(byName(makeBadges(i)).state).toMatchObject({ label: 'upload', message: 'uploading', color: 'brightgreen' });
    for (const t of i.live.instances[0]!.transferring) t.stalledSince = '2026-11-23T04:00:00.000Z';
    const stalled = byName(makeBadges(i));
    expect(stalled.state).toMatchObject({ message: 'stalled', color: 'orange' });
    expect(stalled.speed!.color).toBe('orange');

    const idle = inputs();
    Object.assign(idle.live.total, { inFlight: 0, speed: 0 });
    idle.live.instances[0]!.transferring = [];
    idle.live.instances[0]!.phase = 'idle';
    expect(byName(makeBadges(idle))).toMatchObject({ state: { message: 'idle', color: 'lightgrey' }, speed: { message: '0 B/s', color: 'lightgrey' } });

    const gone = inputs();
    gone.sources = gone.sources.map((s): SourceHealth => (s.kind === 'rclone' ? { ...s, state: 'unreachable' } : s));
    const g = byName(makeBadges(gone));
    expect(g.state).toMatchObject({ message: 'unreachable', color: 'red', isError: true });
    expect(g.speed!.message).toBe('unknown');
  });

  it('colour the pool by what is left, and never name a file or an account', () => {
    const i = inputs();
    const ok = makeBadges(i);
    const b = byName(ok);
    // Usable as Google treats them: quota left and no refusal in 24 h, not quota alone.
    expect(i.accounts.pool.usable).toBeLessThanOrEqual(i.accounts.pool.usableNow);
    expect(b['sas-usable']!.message).toBe(`${i.accounts.pool.usable} of ${i.accounts.pool.accounts}`);
    expect(b['pool-left']!.message).toMatch(/^[\d.]+ (GiB|TiB)$/);
    i.accounts.pool.capacityLeftBytes = Math.floor(0.05 * i.accounts.pool.accounts * 750 * GiB);
    i.accounts.pool.usable = 0;
    const low = byName(makeBadges(i));
    expect(low['pool-left']!.color).toBe('red');
    expect(low['sas-usable']).toMatchObject({ message: `0 of ${i.accounts.pool.accounts}`, color: 'red' });
    for (const f of ok.files) {
      expect(validShields(f.badge), `${f.name}: ${JSON.stringify(validShields.errors)}`).toBe(true);
      expect(JSON.stringify(f.badge)).not.toContain(EVIL_NAME.slice(0, 8));
    }
    expect(ok.list.badges.map((x) => x.path)).toEqual(ok.files.map((f) => `data/${f.name}.json`));
  });
});
