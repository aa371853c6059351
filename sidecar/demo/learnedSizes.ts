import { writeFileSync } from 'node:fs';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const BUCKETS: Array<[string, number, number]> = [
  ['0-100MB', 0, 100 * MiB],
  ['100MB-1GB', 100 * MiB, GiB],
  ['1GB-10GB', GiB, 10 * GiB],
  ['10GB-50GB', 10 * GiB, 50 * GiB],
  ['50GB+', 50 * GiB, Infinity],
];

/** The fork's `_format_bytes`: 1024 steps labelled B/KB/MB/GB/TB, one decimal. */
function human(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) [n, i] = [n / 1024, i + 1];
  return `${n.toFixed(1)} ${units[i]}`;
}

/** One stats block as the fork's FileDistributionTracker reports it (nearest-rank percentiles, count-share buckets). */
function block(sizes: number[], metadata: Record<string, unknown>): Record<string, unknown> {
  const sorted = [...sizes].sort((a, b) => a - b);
  const n = sorted.length;
  const total = sorted.reduce((a, b) => a + b, 0);
  const pct = (p: number) => sorted[Math.min(Math.floor((n * p) / 100), n - 1)] ?? 0;
  const mean = n ? Math.floor(total / n) : 0;
  const std = n ? Math.floor(Math.sqrt(sorted.reduce((a, b) => a + b * b, 0) / n - mean * mean)) : 0;
  const percentiles = { p50: pct(50), p75: pct(75), p90: pct(90), p95: pct(95), p99: pct(99) };
  const buckets = Object.fromEntries(
    BUCKETS.map(([name, min, max]) => {
      const inside = sorted.filter((s) => s >= min && s < max);
      return [name, { count: inside.length, total_bytes: inside.reduce((a, b) => a + b, 0), percentage: n ? Math.round((inside.length / n) * 1000) / 10 : 0 }];
    }),
  );
  const confidence = n > 1000 ? 'very_high' : n > 100 ? 'high' : n > 10 ? 'medium' : 'low';
  return {
    max_file_size: sorted[n - 1] ?? 0,
    max_file_size_human: human(sorted[n - 1] ?? 0),
    percentiles,
    percentiles_human: Object.fromEntries(Object.entries(percentiles).map(([k, v]) => [k, human(v)])),
    size_buckets: buckets,
    large_file_percentage: 0,
    statistics: { total_files: n, total_bytes: total, mean, median: percentiles.p50, std_dev: std, mean_human: human(mean), median_human: human(percentiles.p50), std_dev_human: human(std), total_bytes_human: human(total) },
    metadata: { ...metadata, sample_count: n, confidence },
  };
}

const stamp = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

/**
 * learned_sizes_cache.json in the fork's later layout: the queue's sizes as scanned before
 * the upload, and the sizes of what finished. Rewritten whole, as the fork does.
 */
export function writeLearnedSizes(file: string, uploader: string, uploadFolder: string, queue: number[], finished: number[], now = new Date()): void {
  const common = { last_updated: now.getTime() / 1000, last_updated_human: stamp(now), upload_folder: uploadFolder };
  const value = {
    [uploader]: {
      queue_distribution: block(queue, { source: 'checker_queue', learning_phase: 'pre_transfer', ...common, checking_duration_seconds: 1.4 }),
      ...(finished.length ? { transfer_history: block(finished, { source: 'completed_transfers', learning_phase: 'post_transfer', for_analysis_only: true, ...common }) } : {}),
    },
  };
  writeFileSync(file, JSON.stringify(value, null, 2));
}
