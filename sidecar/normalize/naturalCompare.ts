/** One collator for every comparison: localeCompare with options builds one per call, which a sort of 1,000 SAs feels. */
const NATURAL = new Intl.Collator('en', { numeric: true });

/** cloudplow orders accounts by the digits in their names: 2.json before 10.json. */
export function naturalCompare(a: string, b: string): number {
  return NATURAL.compare(a, b);
}
