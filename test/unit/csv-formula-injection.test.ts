import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Transfer } from '../../sidecar/contract/index.js';
import { transfersCsv } from '../../sidecar/write/csv.js';
import { transferRecord } from '../helpers/fixtures.js';

const transfer = (name: string, error: string | null = null): Transfer =>
  transferRecord(name, '2026-11-22T00:00:00.000Z', { ok: !error, error, durationSeconds: 1, avgSpeed: 1 });

const parse = (csv: string) =>
  JSON.parse(execFileSync('python3', ['-c', 'import csv,io,json,sys; print(json.dumps(list(csv.DictReader(io.StringIO(sys.stdin.read(), newline="")))))'], { input: csv, encoding: 'utf8' })) as Array<Record<string, string>>;

describe('CSV cells', () => {
  it('survive quotes, commas and newlines, and never start a formula', () => {
    const names = ['=HYPERLINK("http://x","y")', '+1+1', '-2', '@SUM(A1)', '\tTab', 'line one\nline two, "quoted"', 'ok.mkv'];
    const rows = parse(transfersCsv([...names.map((n) => transfer(n)), transfer('failed.mkv', '=cmd|boom')]));
    expect(rows.map((r) => r.name)).toEqual([...names.slice(0, 5).map((n) => `'${n}`), 'line one\nline two, "quoted"', 'ok.mkv', 'failed.mkv']);
    expect(rows.at(-1)!.error).toBe("'=cmd|boom");
    expect(rows.at(-1)!.ok).toBe('false');
  });

  it('says which transfers were moved on the remote and where each went, leaving the cells empty where rclone does not say', () => {
    const rows = parse(transfersCsv([{ ...transfer('moved.mkv'), bytes: 0, serverSide: true, dstFs: '=gdrive:Media' }, transfer('old.mkv')]));
    expect(Object.keys(rows[0]!).slice(-2)).toEqual(['server_side', 'destination']);
    expect(rows.map((r) => r.server_side)).toEqual(['true', '']);
    // A remote's name is untrusted too.
    expect(rows.map((r) => r.destination)).toEqual(["'=gdrive:Media", '']);
  });
});
