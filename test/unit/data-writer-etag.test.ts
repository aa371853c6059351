import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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

  it('ignore only the top-level generatedAt by default, not the same value deeper down', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'plowboard-writer-'));
    const w = new DataWriter(dir);
    const file = (generatedAt: string, inner: string) => ({ schemaVersion: 1, generatedAt, rows: [{ generatedAt: inner }] });
    const put = (d: ReturnType<typeof file>) => w.write('data/z.json', d).then((r) => r.written);
    expect(await put(file('t1', 't1'))).toBe(true);
    expect(await put(file('t2', 't1'))).toBe(false);
    // The nested field carries the old top-level value: it is content, and it changed.
    expect(await put(file('t2', 't2'))).toBe(true);
    expect(await put(file('t3', 't2'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(dir, 'data/z.json'), 'utf8'))).toEqual(file('t2', 't2'));
  });

  it('leave no temp file behind and recreate a deleted folder', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'plowboard-writer-'));
    const w = new DataWriter(dir);
    await w.write('data/a.json', { v: 1 });
    rmSync(path.join(dir, 'data'), { recursive: true });
    w.forget('data/a.json');
    await w.write('data/a.json', { v: 2 });
    expect(readdirSync(path.join(dir, 'data'))).toEqual(['a.json']);
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
