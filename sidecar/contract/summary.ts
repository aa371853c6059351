import { Type, type Static } from '@sinclair/typebox';
import { Bytes, IsoTime, Seconds, envelopeFields } from './common.js';

const Count = (description: string) => Type.Integer({ minimum: 0, description });

export const SummaryPeriod = Type.Object({
  label: Type.String({ description: 'e.g. "Today", "Last week"' }),
  from: IsoTime,
  to: IsoTime,
  bytes: Bytes,
  files: Count('transfers finished fine'),
  failures: Count('transfers that failed'),
  saChanges: Count('times cloudplow cycled to another service account'),
  refusals: Count("rate-limit refusals (Google's 403 rate limit or max transfer) rclone logged in cloudplow's log"),
  uploadingSeconds: Seconds,
});

/** The periods, in the order pages show them. */
export const SUMMARY_PERIODS = ['today', 'yesterday', 'thisWeek', 'lastWeek', 'thisMonth', 'last30Days'] as const;
export type SummaryPeriodName = (typeof SUMMARY_PERIODS)[number];

export const Summary = Type.Object(
  {
    ...envelopeFields,
    timeZone: Type.Object(
      {
        name: Type.String({ description: 'the IANA zone of the sidecar, e.g. Europe/Berlin' }),
        offset: Type.String({ pattern: '^[+-]\\d{2}:\\d{2}$', description: 'its offset from UTC when the file was made, e.g. +01:00' }),
      },
      { description: 'days, weeks and months start at midnight in this zone' },
    ),
    weekStartsOn: Type.Literal('Monday'),
    historyFrom: Type.Union([IsoTime, Type.Null()], { description: "the oldest bucket of the history: a period that starts before it is partly unknown" }),
    periods: Type.Object(Object.fromEntries(SUMMARY_PERIODS.map((p) => [p, SummaryPeriod])) as Record<SummaryPeriodName, typeof SummaryPeriod>, {
      description: 'each over [from, to), summed from the 15 min buckets of history-90d.json (series "total")',
    }),
  },
  {
    $id: 'summary',
    title: 'plowboard summary.json',
    description: 'Totals for today, yesterday, this and last week, this month and the last 30 days: bytes, files, failures, SA changes, refusals, time uploading',
  },
);

export type SummaryPeriod = Static<typeof SummaryPeriod>;
export type Summary = Static<typeof Summary>;
