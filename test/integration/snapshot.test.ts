import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_FILES, type Accounts, type Health, type Live, type Transfers } from '../../sidecar/contract/index.js';
import { escapeHtml, escapeMarkdown } from '../../sidecar/snapshot/escape.js';
import { writeSchemas } from '../../sidecar/write/schemas.js';
import { RcloneDaemon, makeFiles } from '../helpers/rclone.js';
import { EVIL_NAME, sampleData, writeSampleOutput } from '../helpers/sampleOutput.js';
import { expectValidOutput } from '../helpers/schemas.js';
import { filesContaining } from '../helpers/secrets.js';
import { readJson, runCli } from '../helpers/sidecarProcess.js';

const NOW = Date.parse('2026-11-23T04:12:34.567Z');
const STEM = 'plowboard-2026-11-23T0412Z';
/** A name Vega draws as text: in the throughput legend and as an account's axis label. */
const EVIL_LABEL = '<img src=x onerror=alert(2)>&"\'\u0000\u0007';
const CHARTS = ['accounts', 'daily', 'history-48h', 'sizes', 'throughput'];

let work: string;
let from: string;
let data: Record<string, unknown>;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'plowboard-snapshot-'));
  from = path.join(work, 'output');
  data = sampleData({ now: NOW });
  const live = data.live as Live;
  for (const p of live.throughput.points.slice(0, 30)) p.instance = EVIL_LABEL;
  (data.accounts as Accounts).uploaders[0]!.accounts[1]!.name = EVIL_LABEL;
  await writeSampleOutput(from, data, { now: NOW });
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

async function snapshot(out: string, extra: string[] = [], env: Record<string, string> = {}) {
  const r = await runCli(['snapshot', '--from', from, '--out', out, ...extra], env);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

const read = (out: string, rel: string) => readFileSync(path.join(out, rel), 'utf8');

/** Splits a Markdown table row on its unescaped pipes. */
const cells = (line: string) => line.split(/(?<!\\)\|/).length;

describe('plowboard snapshot --from', () => {
  let out: string;
  beforeAll(async () => {
    out = path.join(work, 'snap-a');
    await snapshot(out);
  });

  it('writes HTML, Markdown, a chart folder and the JSON, named by the time of the data', () => {
    expect(tree(out)).toEqual(
      [
        `${STEM}.html`,
        `${STEM}.md`,
        ...CHARTS.map((c) => `${STEM}-charts/${c}.svg`),
        ...DATA_FILES.map((f) => `${STEM}-data/${f.name}.json`),
      ].sort(),
    );
    // Not redacted: the data files are copied byte for byte.
    for (const f of DATA_FILES) expect(read(out, `${STEM}-data/${f.name}.json`)).toBe(readFileSync(path.join(from, 'data', `${f.name}.json`), 'utf8'));
  });

  it('gives byte-identical files for the same data, whatever the zone and locale of the machine', async () => {
    const again = path.join(work, 'snap-b');
    await snapshot(again, [], { TZ: 'Pacific/Chatham', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' });
    expect(tree(again)).toEqual(tree(out));
    for (const rel of tree(out)) expect(readFileSync(path.join(again, rel)).equals(readFileSync(path.join(out, rel))), rel).toBe(true);
  });

  it('is one self-contained HTML file: no script, nothing fetched, every chart inline with its marks', () => {
    const html = read(out, `${STEM}.html`);
    expect(html).not.toMatch(/<(script|link|iframe|object|embed|img|base|meta\s+http-equiv=["']?refresh)\b/i);
    expect(html).not.toMatch(/url\(|@import/i);
    // The only links are to the page's own sections.
    for (const m of html.matchAll(/\s(src|href|xlink:href|srcset|action|poster)\s*=\s*"([^"]*)"/gi)) expect(m[2], m[0]).toMatch(/^#[a-z0-9-]+$/);
    // A URL may appear only as the text of a source's target (rclone's RC address), never as a reference.
    const targets = (data.health as Health).sources.map((s) => escapeHtml(s.target));
    const rest = targets.reduce((h, t) => h.split(t).join(''), html);
    expect(rest).not.toMatch(/https?:|\/\//i);

    const svgs = [...html.matchAll(/<svg\b[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    expect(svgs).toHaveLength(CHARTS.length);
    for (const svg of svgs) {
      expect(svg).toMatch(/^<svg role="img" aria-label="[^"]+"/);
      expect(svg).toMatch(/class="mark-(line|rect|area)[^"]*role-mark/);
      expect(svg).toMatch(/<path[^>]+d="M/);
    }
  });

  it('escapes hostile names in the HTML, the SVGs and the Markdown', () => {
    for (const rel of tree(out).filter((f) => /\.(html|svg|md)$/.test(f))) {
      const text = read(out, rel);
      expect(text, rel).not.toMatch(/<img|<b>/i);
      // A NUL or BEL would make an SVG file unreadable XML and hide text in a page.
      expect(text, rel).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
      expect(text, rel).not.toContain('onerror=alert(1)>');
    }
    const html = read(out, `${STEM}.html`);
    expect(html).toContain(escapeHtml(`Movies/${EVIL_NAME}`));
    expect(html).toContain('&lt;b&gt;');
    // Vega escapes the text it draws: the legend and the axis label carry the name, as text.
    expect(read(out, `${STEM}-charts/throughput.svg`)).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(read(out, `${STEM}-charts/accounts.svg`)).toContain('&lt;img src=x onerror=');

    const mdText = read(out, `${STEM}.md`);
    expect(mdText).toContain(escapeMarkdown(`Movies/${EVIL_NAME}`));
    expect(escapeMarkdown(`Movies/${EVIL_NAME}`)).not.toMatch(/[\n<>]|(?<!\\)\|/);
    // Every row of every table has as many cells as its header.
    const tables = mdText.split(/\n{2,}/).filter((b) => b.startsWith('|'));
    expect(tables.length).toBeGreaterThanOrEqual(9);
    for (const t of tables) {
      const lines = t.trimEnd().split('\n');
      expect(lines[1]).toMatch(/^\|( -{3}:? \|)+$/);
      for (const line of lines) expect(cells(line), line).toBe(cells(lines[0]!));
    }
    // Charts are files beside it, and each one is there.
    const images = [...mdText.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(images.sort()).toEqual(CHARTS.map((c) => `${STEM}-charts/${c}.svg`));
    for (const img of images) expect(readFileSync(path.join(out, img), 'utf8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it("words the newer rclone fields: current rate and average, destination, a stall since when, moves, the queue, a server-side move", () => {
    const md = read(out, `${STEM}.md`);
    const html = read(out, `${STEM}.html`);
    // The sample's first file: 45 MiB/s now (rclone's per-file speedAvg), 30 MiB/s since its first byte (speed).
    expect(md).toMatch(/\| 45 MiB\/s now, avg 30 MiB\/s \| 30 s \|/);
    // UTC, and counted from the data's own time: the same text on every machine.
    expect(md).toContain('| 0 B/s now, avg 34 MiB/s | stalled since 2026-11-23T04:09:34Z (for 3 min) |');
    expect(md).toMatch(/\| file \| instance \| to \| progress \|/);
    expect(md).toContain('| gdrive:Media |');
    expect(md).toContain('| **Files moved** | moved 3 · removed from local 3 |');
    expect(md).toContain('2 in flight, 2 queued |');
    expect(md).toContain('| moved on the remote |');
    // The fork's own counter, beside plowboard's and named as the fork's.
    expect(md).toMatch(/\| \*\*The fork’s figures\*\* \| it counts 600 files done where \d+ finished \|/);
    for (const text of [md, html]) expect(text).not.toMatch(/undefined|NaN/);
    expect(html).toContain('stalled since 2026-11-23T04:09:34Z (for 3 min)');
  });

  it('holds the same tables in the Markdown as in the HTML', () => {
    const html = read(out, `${STEM}.html`);
    const mdText = read(out, `${STEM}.md`);
    expect((mdText.match(/^\| --- /gm) ?? []).length).toBe((html.match(/<table\b/g) ?? []).length);
    for (const title of ['Upload session', 'Now', 'Service accounts', 'Finished transfers', 'Recent log lines', 'Health']) {
      expect(mdText).toContain(`## ${title}`);
      expect(html).toContain(`<h2>${title}</h2>`);
    }
    // Times in UTC ISO, bytes in binary units.
    expect(mdText).toContain('2026-11-23T04:12:34Z');
    expect(mdText).toMatch(/\| 750 GiB \|/);
  });
});

describe('plowboard snapshot --redact-names', () => {
  it('leaves no original file name anywhere in what it writes, the JSON included', async () => {
    const out = path.join(work, 'snap-redacted');
    const r = await snapshot(out, ['--redact-names']);
    expect(r.stderr).toContain('file names redacted');
    const transfers = (data.transfers as Transfers).transfers.map((t) => t.name);
    const inFlight = (data.live as Live).instances.flatMap((i) => i.transferring.map((t) => t.name));
    const names = [...new Set([...transfers, ...inFlight])];
    expect(names.length).toBeGreaterThan(40);
    const forms = (n: string) => [n, escapeHtml(n), escapeMarkdown(n), JSON.stringify(n).slice(1, -1), n.slice(n.lastIndexOf('/') + 1).replace(/\.mkv$/, '')];
    // Account names stay, even where one shares text with a file name (the sample's hostile ones do).
    const accountNames = (data.accounts as Accounts).uploaders.flatMap((u) => u.accounts.map((a) => a.name));
    const fileNameOnly = (f: string) => f.length >= 8 && !accountNames.some((a) => a.includes(f) || escapeHtml(a).includes(f));
    for (const name of names) {
      for (const form of forms(name).filter(fileNameOnly)) {
        expect(filesContaining(out, form), `${JSON.stringify(name)} as ${JSON.stringify(form)}`).toEqual([]);
      }
    }
    for (const fragment of ['Movies/', 'TV/', 'Film.', 'Show.S01E', '2160p']) expect(filesContaining(out, fragment), fragment).toEqual([]);
    const html = read(out, `${STEM}.html`);
    expect(html).toContain('file-1.mkv');
    expect(html).toContain('redacted');
    // rclone's log line names a file no transfer does: it is redacted too.
    expect(filesContaining(out, 'x.mkv: Failed')).toEqual([]);

    // The redacted copy is still valid data.
    const check = path.join(work, 'redacted-check');
    cpSync(path.join(out, `${STEM}-data`), path.join(check, 'data'), { recursive: true });
    await writeSchemas(check);
    expectValidOutput(check);
  });
});

describe('plowboard snapshot with files missing or bad', () => {
  it('leaves out what it cannot read, one line each, and writes the rest', async () => {
    const partial = path.join(work, 'partial');
    cpSync(from, partial, { recursive: true });
    rmSync(path.join(partial, 'data', 'logs.json'));
    writeFileSync(path.join(partial, 'data', 'live.json'), JSON.stringify({ schemaVersion: 1, generatedAt: 'yesterday' }));
    writeFileSync(path.join(partial, 'data', 'session.json'), '{"schemaVersion": 1, "gener');
    const out = path.join(work, 'snap-partial');
    const r = await runCli(['snapshot', '--from', partial, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const problems = r.stderr.trim().split('\n').filter((l) => !l.includes('written to'));
    expect(problems).toHaveLength(3);
    expect(problems.find((l) => l.includes('data/logs.json'))).toMatch(/missing/);
    expect(problems.find((l) => l.includes('data/live.json'))).toMatch(/schema/);
    expect(problems.find((l) => l.includes('data/session.json'))).toMatch(/not JSON/);
    const html = read(out, `${STEM}.html`);
    expect(html).not.toContain('<h2>Recent log lines</h2>');
    expect(html).not.toContain('<h2>Now</h2>');
    expect(html).not.toContain('<h2>Upload session</h2>');
    expect(html).toContain('<h2>Finished transfers</h2>');
    expect(html).toContain('Left out of this snapshot');
    expect(existsSync(path.join(out, `${STEM}-data`, 'logs.json'))).toBe(false);
    expect(existsSync(path.join(out, `${STEM}-charts`, 'throughput.svg'))).toBe(false);
  });

  it('exits 2 with one line for a folder that is not an output folder', async () => {
    const empty = path.join(work, 'empty');
    mkdirSync(empty);
    for (const bad of [path.join(work, 'does-not-exist'), empty]) {
      const r = await runCli(['snapshot', '--from', bad, '--out', path.join(work, 'never')]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(bad);
      expect(existsSync(path.join(work, 'never'))).toBe(false);
    }
  });

  it('has --help, and refuses unknown flags and a missing --out', async () => {
    const help = await runCli(['snapshot', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: plowboard snapshot');
    expect(help.stdout).toContain('--redact-names');
    expect((await runCli(['snapshot', '--from', from, '--out', path.join(work, 'x'), '--colour'])).code).toBe(2);
    expect((await runCli(['snapshot', '--from', from])).code).toBe(2);
    // Source flags mean nothing with --from: said, not ignored.
    const both = await runCli(['snapshot', '--from', from, '--rclone-url', 'http://127.0.0.1:1', '--out', path.join(work, 'x')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('cannot be used with');
  });
});

describe('plowboard snapshot from live sources', () => {
  let rclone: RcloneDaemon;
  beforeAll(async () => {
    rclone = new RcloneDaemon(path.join(work, 'rclone'));
    await rclone.start();
  });
  afterAll(async () => {
    await rclone?.stop();
  });

  it('reads a real rclone rcd once and writes a snapshot of what it saw', async () => {
    makeFiles(path.join(work, 'src'), [
      ['alpha.mkv', 1_000_000],
      ['<img src=x onerror=alert(3)>.mkv', 1_000_000],
    ]);
    expect((await rclone.waitJob(await rclone.copy(path.join(work, 'src'), path.join(work, 'dst')))).success).toBe(true);
    const out = path.join(work, 'snap-live');
    const r = await runCli(['snapshot', '--rclone-url', rclone.url, '--out', out, '--state-dir', path.join(work, 'state')], {
      PLOWBOARD_RCLONE_USER: rclone.user,
      PLOWBOARD_RCLONE_PASS: rclone.pass,
    });
    expect(r.code, r.stderr).toBe(0);
    const html = tree(out).find((f) => f.endsWith('.html'))!;
    expect(html).toMatch(/^plowboard-\d{4}-\d\d-\d\dT\d{4}Z\.html$/);
    const stem = html.replace(/\.html$/, '');
    const health = readJson<Health>(path.join(out, `${stem}-data`, 'health.json'));
    expect(health.sources.find((s) => s.kind === 'rclone')!.state).toBe('ok');
    expect(stem).toBe(`plowboard-${health.generatedAt.slice(0, 16).replace(':', '')}Z`);
    const page = read(out, html);
    expect(page).toContain('alpha.mkv');
    expect(page).toContain('&lt;img src=x onerror=alert(3)&gt;.mkv');
    expect(page).not.toContain('<img');
    expect(page).not.toContain(rclone.pass);
    // The sidecar's own output went to a folder that is gone; nothing but the snapshot is left.
    expect(tree(out).every((f) => f.startsWith(stem))).toBe(true);
  });
});
