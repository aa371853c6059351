import type { Account, Accounts } from '../../sidecar/contract/index.js';
import { refusalCountWords, saHealthWords } from '../../sidecar/format/saHealth.js';
import { bytes, when } from './format.js';
import { setCell, type Column } from './table.js';

/** The days the heatmap spans: the store keeps 30. */
const DAYS = 30;
const DAY_MS = 86_400_000;

type WithAccount = { uploader: string; a: Account };

const total = (c: { rateLimits: number; bans: number }) => c.rateLimits + c.bans;

/** An SA's health in the reader's own time: "600 GiB left but refused by Google at 03:12 (14 rate-limit answers in 24 h)". */
export const healthWords = (a: Account): string => saHealthWords(a, { time: when, bytes });

/** The two columns the accounts table gains: what the quota and Google say together, and the refusals counted. */
export function refusalColumns<R extends WithAccount>(): Column<R>[] {
  return [
    {
      id: 'health',
      label: 'Health',
      className: 'health',
      sort: (r) => ({ usable: 0, refused: 1, no_quota: 2, banned: 3 })[r.a.health],
      render: (td, r) => {
        setCell(td, healthWords(r.a), r.a.refusals.lastLine ? `last: ${r.a.refusals.lastLine}` : '');
        if (td.dataset.health !== r.a.health) td.dataset.health = r.a.health;
      },
    },
    {
      id: 'refused',
      label: 'Refusals 24 h · 7 d · 30 d',
      className: 'num refused',
      sort: (r) => total(r.a.refusals.last24h) * 1e6 + total(r.a.refusals.last7d) * 1e3 + total(r.a.refusals.last30d),
      render: (td, r) => {
        const f = r.a.refusals;
        setCell(td, `${total(f.last24h)} · ${total(f.last7d)} · ${total(f.last30d)}`, f.lastAt ? `${refusalCountWords(f.last30d, '30 days')}; last at ${when(f.lastAt)}: ${f.lastLine ?? ''}` : 'no refusal seen in 30 days');
      },
    },
  ];
}

/** The UTC days the heatmap spans, oldest first, ending today. */
export function heatmapDays(now = Date.now()): string[] {
  return Array.from({ length: DAYS }, (_, i) => new Date(now - (DAYS - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

/**
 * Heatmap rows: every SA refused in 30 days, one cell per UTC day (zero days too, so the
 * row reads as a month); SAs never refused are left out, or a thousand empty rows would
 * hide the few that matter.
 */
export function refusalCells(data: Accounts, uploader: string, now = Date.now()) {
  const shown = data.uploaders.filter((u) => !uploader || u.name === uploader);
  const several = shown.length > 1;
  const days = heatmapDays(now);
  const refused = shown.flatMap((u) => u.accounts.filter((a) => total(a.refusals.last30d) > 0).map((a) => ({ id: several ? `${u.name}/${a.name}` : a.name, a })));
  const rows = refused.flatMap(({ id, a }) => {
    const byDay = new Map(a.refusals.days.map((d) => [d.day, d]));
    return days.map((day) => {
      const d = byDay.get(day);
      const n = d ? d.rateLimits + d.bans : 0;
      const label = n ? `${id} on ${day}: ${refusalCountWords(d!, 'the day').replace(/ in the day$/, '')}` : `${id} on ${day}: no refusal`;
      return { account: id, day, refusals: n, label };
    });
  });
  return { rows, accounts: refused.length };
}
