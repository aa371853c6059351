import { describe, expect, it } from 'vitest';
import { parseLearnedSizes } from '../../sidecar/normalize/distribution.js';
import { parseLenientJson } from '../../sidecar/sources/lenientJson.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const block = (source: string) => ({
  max_file_size: 60 * GiB,
  percentiles: { p50: 500 * MiB, p75: 2 * GiB, p90: 8 * GiB, p95: 20 * GiB, p99: 55 * GiB },
  size_buckets: {
    '0-100MB': { count: 50, total_bytes: 50 * 50 * MiB, percentage: 50 },
    '100MB-1GB': { count: 30, total_bytes: 30 * 500 * MiB, percentage: 30 },
    '1GB-10GB': { count: 15, total_bytes: 15 * 4 * GiB, percentage: 15 },
    '10GB-50GB': { count: 4, total_bytes: 4 * 20 * GiB, percentage: 4 },
    '50GB+': { count: 1, total_bytes: 60 * GiB, percentage: 1 },
  },
  statistics: { total_files: 100, total_bytes: 1, mean: 2 * GiB, median: 500 * MiB, std_dev: 5 * GiB },
  metadata: { source, last_updated: 1763800000.5, sample_count: 100, confidence: 'medium' },
});

describe('learned file-size distributions', () => {
  it('reads the sectioned layout with buckets by count and by bytes', () => {
    const [g] = parseLearnedSizes({ google: { queue_distribution: block('checker_queue'), transfer_history: block('completed_transfers') } });
    expect(g!.queue!.layout).toBe('sections');
    expect(g!.history).not.toBeNull();
    const big = g!.queue!.buckets.find((b) => b.label === '50GB+')!;
    expect(big).toMatchObject({ count: 1, minBytes: 50 * GiB, maxBytes: null, countPercent: 1 });
    const totalBytes = g!.queue!.buckets.reduce((n, b) => n + b.bytes, 0);
    expect(big.bytesPercent).toBeCloseTo((60 * GiB * 100) / totalBytes, 1);
    expect(g!.queue!.percentiles.p95).toBe(20 * GiB);
    expect(g!.queue!.updatedAt).toBe(new Date(1763800000500).toISOString());
  });

  it('reads the older flat layout, with Infinity in the tracker state', () => {
    const text = `{"google": {"percentiles": {"p50": 1}, "metadata": {"sample_count": 5000}, "tracker_state": {"count": 5000, "total_bytes": 9, "buckets": {"50GB+": {"count": 2, "total": 7, "min": 53687091200, "max": Infinity}}}}}`;
    const [g] = parseLearnedSizes(parseLenientJson(text));
    expect(g!.queue).toMatchObject({ layout: 'flat', sampleCount: 5000, confidence: 'very_high' });
    expect(g!.queue!.buckets.find((b) => b.label === '50GB+')!.count).toBe(2);
    expect(g!.history).toBeNull();
  });
});
