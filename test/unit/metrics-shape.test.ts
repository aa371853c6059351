import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Accounts, Health, Live } from '../../sidecar/contract/index.js';
import { renderAccountMetrics, renderMetrics } from '../../sidecar/write/metrics.js';
import { PromText } from '../../sidecar/write/promText.js';
import { EVIL_NAME, sampleData } from '../helpers/sampleOutput.js';

const data = sampleData({ accounts: 12 });
const accounts = data.accounts as Accounts;
const input = { live: data.live as Live, health: data.health as Health, accounts, totals: new Map(), nowMs: Date.now() };
const lines = (text: string, metric: string) => text.split('\n').filter((l) => l.startsWith(`${metric}{`) || l.startsWith(`${metric} `));

describe('metrics.prom', () => {
  it('gives each SA one status series, its current one, and counts per uploader and status', async () => {
    const text = renderAccountMetrics(accounts);
    const all = accounts.uploaders.flatMap((u) => u.accounts);
    const status = lines(text, 'plowboard_sa_status');
    expect(status).toHaveLength(all.length);
    expect(status.every((l) => l.endsWith(' 1'))).toBe(true);
    const uploader = accounts.uploaders[0]!;
    for (const st of ['active', 'available', 'exhausted', 'banned'] as const) {
      const n = uploader.accounts.filter((a) => a.status === st).length;
      expect(lines(text, 'plowboard_sa_accounts')).toContain(`plowboard_sa_accounts{uploader="${uploader.name}",status="${st}"} ${n}`);
    }
    expect(lines(text, 'plowboard_sa_used_bytes')).toHaveLength(all.length);
  });

  it('is one valid file when the run and account parts are joined, with hostile names inert', async () => {
    const text = renderMetrics(input);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.status, check.stderr + check.stdout).toBe(0);
    // The SA's name is the hostile name's base name (after its slash): a quote and a newline.
    const evilAccount = accounts.uploaders[0]!.accounts.find((a) => EVIL_NAME.endsWith(a.name.replace(/\.json$/, '')))!;
    expect(evilAccount.name).toContain('\n');
    const evil = lines(text, 'plowboard_sa_used_bytes').filter((l) => l.includes('calc'));
    // One series on one line: the newline is escaped, not written.
    expect(evil).toEqual([`plowboard_sa_used_bytes{uploader="google",account="C calc'!A0\\nnext.mkv.json"} ${evilAccount.usedBytes}`]);
    expect(lines(text, 'plowboard_sa_quota_bytes')).toEqual([`plowboard_sa_quota_bytes ${accounts.quota.bytesPerAccount}`]);
  });
});

describe('the text format', () => {
  it('escapes backslashes, quotes and newlines in label values and help, and writes non-finite values as Prometheus spells them', () => {
    const text = new PromText()
      .add('test_level', 'gauge', 'help with \\ and\nnewline', [
        [{ name: 'a\\b"c\nd' }, 1.5],
        [{ name: 'inf' }, Infinity],
        [{ name: 'nan' }, NaN],
      ])
      .add('test_things_total', 'counter', 'a counter', [[null, 3]])
      .toString();
    expect(text).toBe(
      ['# HELP test_level help with \\\\ and\\nnewline', '# TYPE test_level gauge', 'test_level{name="a\\\\b\\"c\\nd"} 1.5', 'test_level{name="inf"} +Inf', 'test_level{name="nan"} NaN', '', '# HELP test_things_total a counter', '# TYPE test_things_total counter', 'test_things_total 3', ''].join('\n'),
    );
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.status, check.stderr + check.stdout).toBe(0);
  });
});
