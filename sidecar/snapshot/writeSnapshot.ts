import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../write/atomic.js';
import { buildDocument } from './document.js';
import { fileStamp } from './format.js';
import { redactNames } from './redact.js';
import { renderCharts } from './renderCharts.js';
import { renderHtml } from './renderHtml.js';
import { renderMarkdown } from './renderMarkdown.js';
import { dataTime, type SnapshotData } from './snapshotData.js';
import type { LoadedOutput } from './loadOutput.js';

export interface WrittenSnapshot {
  /** `plowboard-2026-11-23T0412Z`: every file and folder written starts with it. */
  stem: string;
  /** Paths relative to the output folder, with their sizes in bytes, in the order written. */
  files: { path: string; bytes: number }[];
}

/**
 * Writes a snapshot into `outDir`, named by the data's time: `<stem>.html`, `<stem>.md`,
 * `<stem>-charts/*.svg` and `<stem>-data/*.json`. Everything comes from the data alone, so
 * the same data gives byte-identical files. With `redact`, names are replaced first: the
 * copied JSON is rewritten from the redacted data rather than copied byte for byte.
 */
export async function writeSnapshot(loaded: LoadedOutput, outDir: string, opts: { redact: boolean; html?: boolean }): Promise<WrittenSnapshot> {
  const data: SnapshotData = opts.redact ? redactNames(loaded.data) : loaded.data;
  const time = dataTime(data);
  const stem = `plowboard-${fileStamp(time)}`;
  const charts = await renderCharts(data);
  const doc = buildDocument(data, charts, { time, leftOut: loaded.problems, redacted: opts.redact });

  const files = new Map<string, string>();
  for (const c of charts) files.set(`${stem}-charts/${c.name}.svg`, c.svg);
  for (const [name, value] of Object.entries(data)) {
    files.set(`${stem}-data/${name}.json`, opts.redact ? `${JSON.stringify(value, null, 2)}\n` : loaded.raw.get(name)!);
  }
  files.set(`${stem}.md`, renderMarkdown(doc, `${stem}-charts`));
  // A wiki shows the Markdown; the HTML, with every chart inline again, would double each commit.
  if (opts.html !== false) files.set(`${stem}.html`, renderHtml(doc));

  // A snapshot made earlier from other data in the same minute may have left files this one does not write.
  await removeOthers(path.join(outDir, `${stem}-charts`), files);
  await removeOthers(path.join(outDir, `${stem}-data`), files);
  const written: WrittenSnapshot['files'] = [];
  for (const [rel, content] of files) {
    await writeFileAtomic(path.join(outDir, rel), content);
    written.push({ path: rel, bytes: (await stat(path.join(outDir, rel))).size });
  }
  return { stem, files: written };
}

async function removeOthers(dir: string, keep: Map<string, string>): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const folder = path.basename(dir);
  await Promise.all(names.filter((n) => /\.(svg|json)$/.test(n) && !keep.has(`${folder}/${n}`)).map((n) => rm(path.join(dir, n), { force: true })));
}
