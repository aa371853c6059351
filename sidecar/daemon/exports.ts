// The files made for other tools rather than the pages: the CSVs (spreadsheets), the badges
// (shields.io, Homepage, Home Assistant) and metrics.prom (Prometheus' textfile collector).
// None is polled by a page, and each reader caches or scrapes on its own clock, so their
// figures may trail the data files a little: a busy upload does not rewrite them with every
// poll. The CSVs, opened now and then in a spreadsheet, by up to 30 s; the badges' figures
// (the speed moves at nearly every poll) by half a beat, a badge's new state going out at
// once; metrics.prom once a beat, as textfile collectors expect a fresh file.
import type { Accounts, Health, Live, SourceHealth, Summary, Transfer } from '../contract/index.js';
import { makeBadges } from '../state/badges.js';
import { accountsCsv, transfersCsv } from '../write/csv.js';
import { renderAccountMetrics, renderRunMetrics, type MetricsInput } from '../write/metrics.js';
import { beatDue, dataFile, type DataFile, type TextFile } from '../write/publisher.js';
import { Cadence } from './cadence.js';

/** How long the CSVs may trail their JSON. */
const CSV_TRAILING_MS = 30_000;

export interface ExportInput {
  nowMs: number;
  generatedAt: string;
  live: Live;
  sources: readonly SourceHealth[];
  health: Health;
  /** The same object for as long as the accounts stand (see AccountsCache). */
  accounts: Accounts;
  /** The same list for as long as no transfer finished (see TransferLog). */
  transfers: readonly Transfer[];
  summary: Summary;
  totals: MetricsInput['totals'];
}

export class Exports {
  private readonly cadence = new Cadence();
  private readonly halfBeatMs: number;
  private accountsSeen: Accounts | null = null;
  private accountsKey = '';
  /** The accounts key accounts.csv was last rendered for. */
  private accountsCsvKey: string | null = null;
  /** The per-account part of metrics.prom, rendered again only when the accounts say something new. */
  private accountMetrics: string | null = null;
  /** Moves with each new rendering of the per-account part: it stands for that part in metrics.prom's key. */
  private accountMetricsVersion = 0;
  private metricsAt = 0;
  /** The transfer list last written to transfers.csv. */
  private transfersCsvWritten: readonly Transfer[] | null = null;
  /** Each badge's tone as last written. */
  private badgeTones = '';

  /** `written`: whether a file is on disk as last written; one deleted underneath is written again at once. */
  constructor(
    private readonly heartbeatSeconds: number,
    private readonly written: (relPath: string) => boolean,
  ) {
    this.halfBeatMs = heartbeatSeconds * 500;
  }

  make(input: ExportInput): { files: DataFile[]; texts: TextFile[] } {
    const { nowMs, accounts } = input;
    const files: DataFile[] = [];
    const texts: TextFile[] = [];
    // The accounts' own key is made only when the cache handed out a new object: at 1,000 SAs the CSV costs more than the JSON.
    if (accounts !== this.accountsSeen) {
      const key = JSON.stringify(accounts.uploaders);
      if (key !== this.accountsKey) this.accountMetrics = null;
      this.accountsKey = key;
      this.accountsSeen = accounts;
    }
    if (this.due('data/accounts.csv', this.accountsKey !== this.accountsCsvKey, nowMs, CSV_TRAILING_MS)) {
      texts.push({ path: 'data/accounts.csv', text: accountsCsv(accounts) });
      this.accountsCsvKey = this.accountsKey;
    }
    if (!this.written('data/transfers.csv')) this.transfersCsvWritten = null;
    if (this.due('data/transfers.csv', input.transfers !== this.transfersCsvWritten, nowMs, CSV_TRAILING_MS)) {
      texts.push({ path: 'data/transfers.csv', text: transfersCsv(input.transfers) });
      this.transfersCsvWritten = input.transfers;
    }
    // Each badge is its own small file, rewritten only when what it says changed. shields.io caches them 5 minutes anyway.
    const badges = makeBadges({ live: input.live, sources: input.sources, accounts, summary: input.summary, generatedAt: input.generatedAt });
    const tones = badges.list.badges.map((b) => b.state).join(' ');
    if (tones !== this.badgeTones || this.due('data/badges.json', true, nowMs, this.halfBeatMs)) {
      files.push(dataFile('badges', badges.list));
      for (const b of badges.files) files.push(dataFile(b.name, b.badge));
      this.badgeTones = tones;
      this.cadence.done('data/badges.json', nowMs);
    }
    // Prometheus scrapes the textfile every 15 s or more: one render per heartbeat is plenty.
    if (beatDue(this.metricsAt, nowMs, this.heartbeatSeconds) || !this.written('metrics.prom')) {
      if (this.accountMetrics === null) {
        this.accountMetrics = renderAccountMetrics(accounts);
        this.accountMetricsVersion++;
      }
      const run = renderRunMetrics({ live: input.live, health: input.health, accounts, totals: input.totals, nowMs });
      texts.push({ path: 'metrics.prom', text: run.text + this.accountMetrics, stable: `${run.stable}\n${this.accountMetricsVersion}` });
      this.metricsAt = nowMs;
    }
    return { files, texts };
  }

  /** A file is due when it is missing, or when it changed and its period has gone by since its last write. */
  private due(relPath: string, changed: boolean, nowMs: number, periodMs: number): boolean {
    const due = !this.written(relPath) || (changed && this.cadence.due(relPath, nowMs, periodMs));
    if (due) this.cadence.done(relPath, nowMs);
    return due;
  }
}
