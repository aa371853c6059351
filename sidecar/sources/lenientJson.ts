import JSON5 from 'json5';
import { jsonSyntaxMessage } from '../normalize/jsonSyntax.js';

/** Deeper than any real cloudplow file; deeper input is refused before a recursive parser sees it. */
const MAX_DEPTH = 512;

/**
 * Parses JSON as Python's json.dump writes it: `Infinity`, `-Infinity` and `NaN` are
 * tokens there (the fork's learned-sizes cache has one). Plain JSON.parse first: it is
 * fast and right for every other file; only a failure takes the slower lenient path.
 */
export function parseLenientJson(text: string): unknown {
  // JSON.parse copes with any depth, but what reads the value after it (JSON.stringify,
  // recursive walks) runs out of stack: refuse it here, once.
  if (nestingDepth(text) > MAX_DEPTH) throw new Error(`nested deeper than ${MAX_DEPTH} levels`);
  // The parsers' own messages quote the text around the error, and these files are
  // cloudplow's: only a position leaves here.
  try {
    return JSON.parse(text);
  } catch {
    if (!/\b(-?Infinity|NaN)\b/.test(text)) throw new Error(jsonSyntaxMessage(text));
  }
  try {
    return JSON5.parse(text);
  } catch (err) {
    const { lineNumber: line, columnNumber: column } = err as { lineNumber?: number; columnNumber?: number };
    throw new Error(jsonSyntaxMessage(text, line && column ? { line, column } : null));
  }
}

function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}
