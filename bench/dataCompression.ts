/**
 * `npx tsx bench/dataCompression.ts`: what compressing each data file when it is sent would
 * save and cost, on the sample output at the bench's 1× and at a large install. Behind the
 * built-in server's choice to compress data files on the fly (serve/liveCompression.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { sampleData, writeSampleOutput } from '../test/helpers/sampleOutput.js';
for (const [label, opts] of [['bench 1x (12 SAs, 40 transfers, 3 h)', { accounts: 12, transfers: 40, historyHours: 3 }], ['large (100 SAs, 1000 transfers, 48 h)', { accounts: 100, transfers: 1000, historyHours: 48 }]] as const) {
  const dir = mkdtempSync(path.join(tmpdir(), 'plowboard-datasize-'));
  await writeSampleOutput(dir, sampleData(opts));
  console.log(`\n${label}`);
  const files = [...readdirSync(path.join(dir, 'data')).map((f) => `data/${f}`), 'metrics.prom'].filter((f) => { try { return statSync(path.join(dir, f)).isFile(); } catch { return false; } });
  for (const f of files) {
    const b = readFileSync(path.join(dir, f));
    const time = (fn: () => Buffer) => { fn(); const n = 50; const t = performance.now(); let out!: Buffer; for (let i = 0; i < n; i++) out = fn(); return { size: out.length, ms: (performance.now() - t) / n }; };
    const g1 = time(() => gzipSync(b, { level: 1 }));
    const g6 = time(() => gzipSync(b, { level: 6 }));
    const br4 = time(() => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }));
    console.log(`${f.padEnd(26)} ${String(b.length).padStart(8)} B | gzip1 ${String(g1.size).padStart(7)} B ${g1.ms.toFixed(3)} ms | gzip6 ${String(g6.size).padStart(7)} B ${g6.ms.toFixed(3)} ms | br4 ${String(br4.size).padStart(7)} B ${br4.ms.toFixed(3)} ms`);
  }
}
