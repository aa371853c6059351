type Cell = string | number | boolean | null | undefined;

/**
 * CSV made in the browser, the same way the sidecar's data/transfers.csv is: every cell
 * that holds a quote, comma or line break is quoted, and a text cell that starts with
 * = + - @ (or a tab or carriage return) gets a leading ' so a spreadsheet does not run
 * a file name as a formula.
 */
export function toCsv<T>(rows: readonly T[], columns: ReadonlyArray<readonly [header: string, value: (row: T) => Cell]>): string {
  const lines = [columns.map(([h]) => cell(h)).join(',')];
  for (const row of rows) lines.push(columns.map(([, value]) => cell(value(row))).join(','));
  return `${lines.join('\n')}\n`;
}

function cell(v: Cell): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Points a download link at a CSV of rows made when it is clicked, so it always holds
 * what is shown at that moment. The link's own click then downloads it.
 */
export function csvLink(link: HTMLAnchorElement, fileName: () => string, csv: () => string): void {
  let url: string | null = null;
  link.addEventListener('click', () => {
    if (url) URL.revokeObjectURL(url);
    url = URL.createObjectURL(new Blob([csv()], { type: 'text/csv;charset=utf-8' }));
    link.href = url;
    link.download = fileName();
  });
}
