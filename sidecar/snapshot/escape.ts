/**
 * Untrusted text (file, account and uploader names, log lines, error messages) made safe
 * for each format the snapshot writes. Hand-written: the rules are a few lines, and the
 * only HTML-escape package installed (escape-html) comes in through other packages, untyped.
 */

/** C0 controls and DEL, except tab and newline: they have no business in a page and can hide text. */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** For text handed to Vega, which escapes markup but keeps controls, and a NUL makes an SVG file unreadable XML. */
export const stripControls = (text: string): string => text.replace(CONTROLS, '');

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For element text and attribute values (always double-quoted) alike. */
export function escapeHtml(text: string): string {
  return text.replace(CONTROLS, '').replace(/[&<>"']/g, (c) => HTML[c]!);
}

/**
 * For inline Markdown, table cells included: every character GFM gives a meaning is
 * neutralised, so a name cannot end a cell (`|`), open a link or image (`[`), emphasis
 * (`*`, `_`, `~`), a code span (`` ` ``) or raw HTML (`<`, `&`). `<`, `>` and `&` become
 * entities, which every renderer decodes back to the character; the rest are
 * backslash-escaped (CommonMark's escape for ASCII punctuation). Newlines become spaces:
 * a table row is one line.
 */
export function escapeMarkdown(text: string): string {
  const flat = text
    .replace(CONTROLS, '')
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
    .replace(/[\\`*_[\]|~!#$]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
  // At the start of a line these make a heading, setext underline, list or quote.
  return flat.replace(/^(\s*)([=+\-:])/, '$1\\$2').replace(/^(\s*\d{1,9})([.)])(?=\s|$)/, '$1\\$2');
}
