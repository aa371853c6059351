import type { SizeBucket, SizeDistribution } from '../contract/index.js';
import { asCount, asNumber, asObject, asString, type Json } from './coerce.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
/** The fork's buckets: half-open [min, max) in 1024-based units. */
const BUCKETS: Array<{ label: string; min: number; max: number | null }> = [
  { label: '0-100MB', min: 0, max: 100 * MiB },
  { label: '100MB-1GB', min: 100 * MiB, max: GiB },
  { label: '1GB-10GB', min: GiB, max: 10 * GiB },
  { label: '10GB-50GB', min: 10 * GiB, max: 50 * GiB },
  { label: '50GB+', min: 50 * GiB, max: null },
];

export interface UploaderDistributions {
  name: string;
  queue: SizeDistribution | null;
  history: SizeDistribution | null;
}

/**
 * learned_sizes_cache.json in either of the fork's layouts: stats under
 * queue_distribution / transfer_history, or (older builds) directly under the uploader.
 */
export function parseLearnedSizes(raw: unknown): UploaderDistributions[] {
  return Object.entries(asObject(raw) ?? {})
    .map(([name, value]) => {
      const u = asObject(value);
      if (!u) return { name, queue: null, history: null };
      if (asObject(u.queue_distribution) || asObject(u.transfer_history)) {
        return { name, queue: statsBlock(asObject(u.queue_distribution), 'sections'), history: statsBlock(asObject(u.transfer_history), 'sections') };
      }
      // The flat layout is what update_distribution_cache() learned from the queue.
      return { name, queue: statsBlock(u, 'flat'), history: null };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function statsBlock(block: Json | null, layout: SizeDistribution['layout']): SizeDistribution | null {
  if (!block) return null;
  const stats = asObject(block.statistics) ?? {};
  const meta = asObject(block.metadata) ?? {};
  const tracker = asObject(block.tracker_state);
  const pct = asObject(block.percentiles) ?? {};
  const sampleCount = asCount(meta.sample_count) ?? asCount(tracker?.count) ?? asCount(stats.total_files) ?? 0;
  const totalFiles = asCount(stats.total_files) ?? asCount(tracker?.count) ?? sampleCount;
  const totalBytes = asCount(stats.total_bytes) ?? asCount(tracker?.total_bytes) ?? 0;
  const buckets = bucketsOf(asObject(block.size_buckets), asObject(tracker?.buckets), totalFiles, totalBytes);
  const updated = asNumber(meta.last_updated);
  const confidence = asString(meta.confidence);
  return {
    percentiles: { p50: asCount(pct.p50), p75: asCount(pct.p75), p90: asCount(pct.p90), p95: asCount(pct.p95), p99: asCount(pct.p99) },
    buckets,
    sampleCount,
    totalFiles,
    totalBytes,
    maxFileSize: asCount(block.max_file_size) ?? asCount(tracker?.max_size),
    meanBytes: asCount(stats.mean),
    stdDevBytes: asCount(stats.std_dev),
    confidence: confidence === 'low' || confidence === 'medium' || confidence === 'high' || confidence === 'very_high' ? confidence : confidenceFor(sampleCount),
    updatedAt: updated !== null && updated > 0 ? new Date(updated * 1000).toISOString() : null,
    layout,
  };
}

function bucketsOf(sizeBuckets: Json | null, trackerBuckets: Json | null, totalFiles: number, totalBytes: number): SizeBucket[] {
  const counted = BUCKETS.map((b) => {
    const s = asObject(sizeBuckets?.[b.label]);
    const t = asObject(trackerBuckets?.[b.label]);
    return { ...b, count: asCount(s?.count) ?? asCount(t?.count) ?? 0, bytes: asCount(s?.total_bytes) ?? asCount(t?.total) ?? 0 };
  });
  const files = counted.reduce((n, b) => n + b.count, 0) || totalFiles;
  const bytes = counted.reduce((n, b) => n + b.bytes, 0) || totalBytes;
  return counted.map((b) => ({
    label: b.label,
    minBytes: b.min,
    maxBytes: b.max,
    count: b.count,
    bytes: b.bytes,
    countPercent: files ? round1((b.count / files) * 100) : 0,
    bytesPercent: bytes ? round1((b.bytes / bytes) * 100) : 0,
  }));
}

/** The fork's thresholds: above 1000 very high, above 100 high, above 10 medium. */
export function confidenceFor(samples: number): SizeDistribution['confidence'] {
  return samples > 1000 ? 'very_high' : samples > 100 ? 'high' : samples > 10 ? 'medium' : 'low';
}

const round1 = (n: number) => Math.round(n * 10) / 10;
