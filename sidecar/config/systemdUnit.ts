import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCloudplowArgv, type CloudplowLaunch } from './cloudplowLaunch.js';

export const SYSTEMD_DIRS = ['/etc/systemd/system', '/lib/systemd/system'];

interface UnitService {
  execStart: string[] | null;
  workingDirectory: string | null;
  environment: Record<string, string>;
}

/**
 * The [Service] settings that decide where cloudplow's files go. systemd joins lines
 * ending in a backslash, takes the last ExecStart (an empty one resets), and splits it
 * with its own quoting: "…" and '…' group, a backslash escapes.
 */
export function parseUnit(text: string): UnitService {
  const out: UnitService = { execStart: null, workingDirectory: null, environment: {} };
  let section = '';
  for (const line of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith('#') || t.startsWith(';')) continue;
    if (t.startsWith('[')) {
      section = t;
      continue;
    }
    if (section !== '[Service]') continue;
    const eq = t.indexOf('=');
    if (eq < 0) continue;
    const key = t.slice(0, eq).trim();
    const value = t.slice(eq + 1).trim();
    if (key === 'ExecStart') out.execStart = value ? splitCommand(value.replace(/^[@\-:+!]+/, '')) : null;
    else if (key === 'WorkingDirectory') out.workingDirectory = value.replace(/^-/, '') || null;
    else if (key === 'Environment') {
      for (const pair of splitCommand(value)) {
        const i = pair.indexOf('=');
        if (i > 0) out.environment[pair.slice(0, i)] = pair.slice(i + 1);
      }
    }
  }
  return out;
}

/** systemd's word splitting for ExecStart and Environment. */
export function splitCommand(value: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: string | null = null;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      word = (word ?? '') + value[++i];
    } else if (quote) {
      if (c === quote) quote = null;
      else word = (word ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word = word ?? '';
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/**
 * Unit files whose ExecStart runs cloudplow.py, /etc before /lib (an /etc unit of the
 * same name overrides). Unreadable folders and files are skipped; this never throws.
 */
export function findCloudplowUnits(dirs: string[] = SYSTEMD_DIRS): CloudplowLaunch[] {
  const found: CloudplowLaunch[] = [];
  const seen = new Set<string>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.service')).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      if (seen.has(name)) continue;
      let text: string;
      try {
        text = readFileSync(path.join(dir, name), 'utf8');
      } catch {
        continue;
      }
      if (!text.includes('cloudplow.py')) continue;
      seen.add(name);
      const unit = parseUnit(text);
      if (!unit.execStart) continue;
      // systemd runs a unit without WorkingDirectory in "/"; "~" is a home we cannot know.
      const cwd = unit.workingDirectory === '~' ? null : (unit.workingDirectory ?? '/');
      const launch = parseCloudplowArgv(unit.execStart, cwd, unit.environment, `systemd unit ${path.join(dir, name)}`);
      if (launch) found.push(launch);
    }
  }
  return found;
}
