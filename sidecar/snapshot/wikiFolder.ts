import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../write/atomic.js';
import { bytes } from './format.js';
import { dataTime, type SnapshotData } from './snapshotData.js';

/**
 * The folder of a git wiki that plowboard keeps: its snapshots, named by their data's time,
 * and `latest.md`, the one stable page to link to. Only names plowboard writes are ever
 * removed: the pages people keep beside them are theirs.
 */

/** `plowboard-2026-12-07T1300Z` and what belongs to it: `.md`, `.html`, `-charts/`, `-data/`. */
const SNAPSHOT_ENTRY = /^(plowboard-\d{4}-\d\d-\d\dT\d{4}Z)(\.md|\.html|-charts|-data)$/;

export const LATEST = 'latest.md';

/** The snapshots in `dir`, newest first (their names sort by time). */
export async function snapshotStems(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stems = new Set(names.flatMap((n) => SNAPSHOT_ENTRY.exec(n)?.[1] ?? []));
  return [...stems].sort().reverse();
}

/** Removes every snapshot beyond the `keep` newest; returns the stems removed. */
export async function prune(dir: string, keep: number): Promise<string[]> {
  const gone = (await snapshotStems(dir)).slice(keep);
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names.filter((n) => gone.includes(SNAPSHOT_ENTRY.exec(n)?.[1] ?? '')).map((n) => rm(path.join(dir, n), { recursive: true, force: true })),
  );
  return gone;
}

/** `2026-12-07 13:00 UTC`. */
const minuteUtc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** "uploading, 412 GiB today" — what the snapshot's data says in a few words; empty when it says nothing. */
export function gistOf(data: SnapshotData): string {
  const words: string[] = [];
  if (data.live) words.push(data.live.total.inFlight > 0 ? 'uploading' : 'idle');
  const day = dataTime(data).slice(0, 10);
  const today = data['history-90d']?.daily.find((d) => d.key === 'total' && d.day === day);
  if (today) words.push(`${bytes(today.bytes)} today`);
  if (data.health && data.health.state !== 'ok' && data.health.state !== 'idle') words.push(`health ${data.health.state}`);
  return words.join(', ');
}

/** "plowboard snapshot 2026-12-07 13:00 UTC: uploading, 412 GiB today". */
export function commitMessage(data: SnapshotData): string {
  const gist = gistOf(data);
  return `plowboard snapshot ${minuteUtc(dataTime(data))}${gist ? `: ${gist}` : ''}`;
}

/**
 * `latest.md`: a link to the newest snapshot, its charts, and the ones kept before it.
 * Every name in it is ours (time stamps, chart names); the gist is figures and fixed words.
 */
export async function writeLatest(dir: string, data: SnapshotData, charts: string[]): Promise<void> {
  const [newest, ...older] = await snapshotStems(dir);
  if (!newest) return;
  const gist = gistOf(data);
  const time = (stem: string) => minuteUtc(`${stem.slice(10, 20)}T${stem.slice(21, 23)}:${stem.slice(23, 25)}`);
  const lines = [
    '# plowboard: latest snapshot',
    '',
    `**[plowboard snapshot ${time(newest)}](${newest}.md)**${gist ? ` — ${gist}.` : ''}`,
    '',
    'This page is rewritten by plowboard with every snapshot; link to it rather than to a snapshot.',
    ...charts.flatMap((c) => ['', `![${c}](${newest}-charts/${c}.svg)`]),
  ];
  if (older.length) lines.push('', '## Earlier snapshots', '', ...older.map((s) => `- [${time(s)}](${s}.md)`));
  await writeFileAtomic(path.join(dir, LATEST), `${lines.join('\n')}\n`);
}
