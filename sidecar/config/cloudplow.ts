import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { jsonSyntaxMessage } from '../normalize/jsonSyntax.js';
import { ConfigError } from './configError.js';
import { CLOUDPLOW_CONFIG_CANDIDATES, type CloudplowConfigRef } from './schema.js';

export interface CloudplowConfigRead {
  ref: CloudplowConfigRef;
  settings: Record<string, unknown> | null;
  /** A readable file that is not valid cloudplow JSON: reported in health.json, not fatal. */
  problem: string | null;
}

/**
 * Finds cloudplow's config.json. An explicit path that does not exist is a configuration
 * error; a discovered candidate is only used if it looks like cloudplow's (a plowboard
 * config that happens to be named config.json must not be mistaken for it).
 */
export function findCloudplowConfig(explicit: { path: string; from: string } | null, cwd: string): CloudplowConfigRead {
  if (explicit) {
    const file = path.resolve(cwd, explicit.path);
    if (!existsSync(file)) throw new ConfigError(explicit.from, null, `cloudplow config ${file} does not exist`);
    return readCloudplowConfig(file, explicit.from);
  }
  for (const candidate of CLOUDPLOW_CONFIG_CANDIDATES) {
    const file = path.resolve(cwd, candidate);
    if (!existsSync(file)) continue;
    const read = readCloudplowConfig(file, 'discovered');
    if (read.settings && !looksLikeCloudplow(read.settings)) continue;
    return read;
  }
  return { ref: { path: null, found: false, from: 'none' }, settings: null, problem: null };
}

function readCloudplowConfig(file: string, from: string): CloudplowConfigRead {
  const ref = { path: file, found: true, from };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ref, settings: null, problem: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { ref, settings: null, problem: `${file} is not a JSON object` };
    }
    return { ref, settings: parsed as Record<string, unknown>, problem: null };
  } catch {
    // Node's message quotes the text around the error: the Plex token, nzbget's password.
    return { ref, settings: null, problem: `${file} is ${jsonSyntaxMessage(text)}` };
  }
}

function looksLikeCloudplow(settings: Record<string, unknown>): boolean {
  return ['uploader', 'remotes', 'plex', 'core', 'dashboard'].some((k) => k in settings);
}

const get = (obj: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);

/** cloudplow's RC address: the fork's dashboard.rc_url, else plex.rclone.url. */
export function rcUrlFromCloudplow(settings: Record<string, unknown> | null): string | null {
  if (!settings) return null;
  for (const value of [get(settings, 'dashboard', 'rc_url'), get(settings, 'plex', 'rclone', 'url')]) {
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return null;
}
