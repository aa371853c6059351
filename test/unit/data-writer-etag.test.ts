import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataWriter } from '../../sidecar/write/dataWriter.js';

describe('data files on disk', () => {
  it('are rewritten only when what they say changed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'plowboard-writer-'));
    const w = new DataWriter(dir);
    const stable = (d: { generatedAt: string; v: number }) => d.v;
    expect((await w.write('data/x.json', { generatedAt: 'a', v: 1 }, { stable })).written).toBe(true);
    expect((await w.write('data/x.json', { generatedAt: 'b', v: 1 }, { stable })).written).toBe(false);
    expect(JSON.parse(readFileSync(path.join(dir, 'data/x.json'), 'utf8')).generatedAt).toBe('a');
    expect((await w.write('data/x.json', { generatedAt: 'c', v: 1 }, { stable, force: true })).written).toBe(true);
  });

  it('never keep the same size within one second, so mtime+size ETags (nginx) always change', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'plowboard-writer-'));
    const w = new DataWriter(dir);
    const file = path.join(dir, 'data/y.json');
    const seen: Array<[number, number]> = [];
    for (let v = 1; v <= 9; v++) {
      await w.write('data/y.json', { v });
      const st = statSync(file);
      seen.push([Math.floor(st.mtimeMs / 1000), st.size]);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ v });
    }
    for (let i = 1; i < seen.length; i++) expect(seen[i], `write ${i + 1}`).not.toEqual(seen[i - 1]);
  });
});
