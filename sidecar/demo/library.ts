import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const MiB = 1024 * 1024;

export interface PlannedFile {
  /** Relative to the upload folder, as rclone names it. */
  name: string;
  size: number;
}

const SHOWS = ['Northern Lights', 'The Quiet Harbour', 'Signal Lost', 'Copper Valley'];
const MOVIES = ['A Long Way Down (2019)', 'Glass Orchard (2021)', 'The Last Ferry (2017)', 'Paper Moons (2023)', 'Nine Bridges (2015)'];

/**
 * A batch of media files to upload, like a download folder filling up: episodes and
 * films of mixed sizes (a few MiB: the demo moves them at a few MiB/s so they are seen in
 * flight). `batch` keeps names of successive batches apart.
 */
export function planBatch(batch: number, count = 24): PlannedFile[] {
  const files: PlannedFile[] = [];
  let seed = batch * 7919 + 17;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < count; i++) {
    const size = Math.round((1 + rand() * (i % 5 === 0 ? 15 : 7)) * MiB) + Math.floor(rand() * 4096);
    if (i % 3 === 2) {
      const movie = MOVIES[(batch + i) % MOVIES.length]!;
      files.push({ name: `Movies/${movie}/${movie.replace(/ \(\d+\)$/, '')} - part ${batch}.${i}.mkv`, size });
    } else {
      const show = SHOWS[(batch + i) % SHOWS.length]!;
      const season = String(batch).padStart(2, '0');
      const episode = String(i + 1).padStart(2, '0');
      files.push({ name: `TV/${show}/Season ${season}/${show} - S${season}E${episode}.mkv`, size });
    }
  }
  return files;
}

/**
 * Writes the files, one await each so the server and sidecar in the same process keep
 * answering meanwhile. The content is a cheap pattern (a counter every 4 KiB), not random:
 * nothing compresses on the way to a memory remote, and the shared CPU is spared.
 */
export async function writeBatch(folder: string, files: PlannedFile[]): Promise<void> {
  for (const f of files) {
    const file = path.join(folder, f.name);
    await mkdir(path.dirname(file), { recursive: true });
    const data = Buffer.alloc(f.size);
    for (let i = 0; i + 4 <= f.size; i += 4096) data.writeUInt32LE((i + f.name.length) >>> 0, i);
    await writeFile(file, data);
  }
}
