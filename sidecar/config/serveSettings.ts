import { isIP } from 'node:net';
import path from 'node:path';
import { ConfigError } from './configError.js';
import { SETTINGS, type Picked } from './settings.js';

/** The built-in server's own settings: which Host names it answers, who may frame it, its login. */
export interface ServeSettings {
  /** Lower case, no trailing dot; `*` allows any Host (behind a proxy that checks it). */
  allowedHosts: string[];
  /** The CSP frame-ancestors source list. */
  frameAncestors: string;
  /** An htpasswd file with bcrypt entries, or null for no login. */
  authFile: string | null;
}

export const DEFAULT_FRAME_ANCESTORS = SETTINGS.frameAncestors.default;

export function resolveServeSettings(
  picked: { allowedHosts: Picked | null; frameAncestors: Picked | null; authFile: Picked | null },
  cwd: string,
): ServeSettings {
  return {
    allowedHosts: readAllowedHosts(picked.allowedHosts),
    frameAncestors: readFrameAncestors(picked.frameAncestors),
    authFile: readAuthFile(picked.authFile, cwd),
  };
}

const HOST_NAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

/** Repeated flags, comma lists and arrays all flatten to one list of names. */
export function readAllowedHosts(p: Picked | null): string[] {
  if (!p) return [];
  const items = (Array.isArray(p.value) ? p.value : [p.value]).flatMap((v) => String(v).split(','));
  return items
    .map((v) => v.trim())
    .filter(Boolean)
    .map((raw) => {
      const name = raw.toLowerCase().replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1');
      if (name === '*' || isIP(name) || HOST_NAME.test(name)) return name;
      throw new ConfigError(p.where, p.key, `must be host names without scheme or port (such as dash.example.lan, or * behind a proxy), not ${JSON.stringify(raw)}`);
    });
}

const SOURCE = /^(\*|[a-z][a-z0-9+.-]*:|([a-z][a-z0-9+.-]*:\/\/)?(\*\.)?[a-z0-9.-]+(:(\d{1,5}|\*))?(\/[a-z0-9._~/-]*)?)$/i;

/** A CSP source list, checked so that nothing else can be slipped into the policy (no `;`, no quotes but the keywords). */
export function readFrameAncestors(p: Picked | null): string {
  if (!p) return DEFAULT_FRAME_ANCESTORS;
  const tokens = String(p.value)
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((t) => (/^'?(self|none)'?$/i.test(t) ? `'${t.replace(/'/g, '').toLowerCase()}'` : t));
  const bad = tokens.find((t) => t !== "'self'" && t !== "'none'" && !SOURCE.test(t));
  if (tokens.length === 0 || bad !== undefined || (tokens.includes("'none'") && tokens.length > 1)) {
    throw new ConfigError(
      p.where,
      p.key,
      `must be CSP sources separated by spaces, such as 'self' https://home.example.lan:8123 (or 'none'), not ${JSON.stringify(String(p.value))}`,
    );
  }
  return tokens.join(' ');
}

export function readAuthFile(p: Picked | null, cwd: string): string | null {
  return p ? path.resolve(cwd, String(p.value)) : null;
}
