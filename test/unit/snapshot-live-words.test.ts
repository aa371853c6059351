import { describe, expect, it } from 'vitest';
import type { Health, Live } from '../../sidecar/contract/index.js';
import { buildDocument, type Block } from '../../sidecar/snapshot/document.js';
import { sampleData } from '../helpers/sampleOutput.js';

const NOW = Date.parse('2026-11-23T04:12:34.567Z');
const TIME = new Date(NOW).toISOString();

/** Every cell and line of a section, as one string per row. */
function sectionText(live: Live | undefined, health?: Health): string[] {
  const doc = buildDocument({ ...(live ? { live } : {}), ...(health ? { health } : {}) }, [], { time: TIME, leftOut: [], redacted: false });
  return doc.sections.flatMap((s) => s.blocks.flatMap((b: Block) => (b.kind === 'table' ? b.table.rows.map((r) => r.join(' | ')) : b.kind === 'text' ? [b.text] : [])));
}

describe('a snapshot of rclone scanning, restarting and with its platform and notes', () => {
  it('says an instance is scanning, how many entries it listed, its upload average and when its counters restarted', () => {
    const live = structuredClone(sampleData({ now: NOW }).live) as Live;
    Object.assign(live.total, { inFlight: 0, transfers: 0 });
    Object.assign(live.instances[0]!, {
      phase: 'scanning',
      listed: 1234,
      transferring: [],
      inFlight: 0,
      transfers: 4,
      uploadSpeedAvg: 80 * 1024 ** 2,
      countersRestarted: { at: '2026-11-23T03:00:00.000Z', reason: 'restart' },
    });
    const rows = sectionText(live);
    expect(rows).toContain('rclone instances | default: ok, scanning the source (1234 entries listed), average while uploading 80 MiB/s, rclone restarted at 2026-11-23T03:00:00Z');
    expect(rows).toContain('Nothing in flight yet: rclone is scanning the source.');
  });

  it('shows a queue rclone cannot count as a lower bound, and nothing of what rclone 1.60 does not give', () => {
    const live = structuredClone(sampleData({ now: NOW }).live) as Live;
    Object.assign(live.total, { queued: 5, queuedExact: false, moved: 0, removedFromSource: 0 });
    for (const t of live.instances[0]!.transferring) {
      delete t.dstFs;
      delete t.stalledSince;
    }
    const rows = sectionText(live);
    expect(rows.find((r) => r.startsWith('Transfers |'))).toBe('Transfers | 120 of 300, 2 in flight, at least 5 queued (rclone before 1.73.1 leaves the queue out of its total)');
    expect(rows.some((r) => r.startsWith('Files moved'))).toBe(false);
    expect(rows.join('\n')).not.toMatch(/undefined|NaN|stalled|→|gdrive/);
    // The in-flight table has no destination column when rclone names none.
    expect(rows.filter((r) => r.includes('TV/Show.S01E01.mkv'))[0]!.split(' | ')).toHaveLength(6);
  });

  it("puts rclone's platform beside its version and its notes with what to do", () => {
    const health = structuredClone(sampleData({ now: NOW }).health) as Health;
    Object.assign(health.sources[0]!, { version: 'v1.74.0', platform: 'linux/amd64 · debian 12.11 (64 bit)', notes: ['Finished transfers are not read.'] });
    const rows = sectionText(undefined, health);
    const rclone = rows.find((r) => r.startsWith('default |'))!.split(' | ');
    expect(rclone[2]).toBe('v1.74.0 · linux/amd64 · debian 12.11 (64 bit)');
    expect(rclone[7]).toBe('Finished transfers are not read.');
    expect(rows.find((r) => r.startsWith('cloudplow.log |'))!.split(' | ')[2]).toBe('—');
  });
});
