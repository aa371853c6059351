/**
 * The secret strings in cloudplow's config.json, to be removed wherever they turn up: the
 * Plex token, sabnzbd's apikey, nzbget's `user:pass@` URL, every notifier's settings, and
 * secret flags in `rclone_extras` (`--drive-token`, `--rc-pass`). Libraries print them in
 * shapes of their own — apprise logs a Discord webhook `discord://ID/TOKEN` as
 * `https://discord.com/api/webhooks/ID/TOKEN` — so a URL also gives up its pieces that
 * look like keys.
 */
const SECRET_KEY = /pass|pwd|token|secret|key|auth|credential|cookie|webhook/i;

export function cloudplowConfigSecrets(settings: Record<string, unknown> | null): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, secret: boolean): void => {
    if (typeof value === 'string') {
      if (secret) for (const s of [value, ...urlPieces(value)]) found.add(s);
      return;
    }
    if (typeof value === 'number' && secret) {
      found.add(String(value));
      return;
    }
    if (Array.isArray(value)) {
      for (const v of value) walk(v, secret);
      return;
    }
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, secret || SECRET_KEY.test(k));
    }
  };
  if (!settings) return [];
  for (const [section, value] of Object.entries(settings)) {
    // Every notifier (apprise URL, pushover app_token/user_token, slack webhook_url) is made
    // of credentials; only which service it is, is not.
    if (section === 'notifications' && value && typeof value === 'object') {
      for (const agent of Object.values(value)) {
        if (!agent || typeof agent !== 'object') continue;
        for (const [k, v] of Object.entries(agent)) if (k !== 'service') walk(v, true);
      }
      continue;
    }
    walk(value, SECRET_KEY.test(section));
  }
  // Any URL anywhere with a password in it (nzbget's url key is not named like a secret).
  const urls = (value: unknown): void => {
    if (typeof value === 'string') {
      const pass = urlPassword(value);
      if (pass) found.add(pass);
    } else if (value && typeof value === 'object') for (const v of Object.values(value)) urls(v);
  };
  urls(settings);
  return [...found].filter((s) => s.trim() !== '');
}

/** A URL's password, host and path segments that look like keys: long, or with digits, and no dots. */
function urlPieces(text: string): string[] {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/i.exec(text.trim());
  if (!m) return [];
  const [, , authority, pathPart, query] = m;
  const at = authority!.lastIndexOf('@');
  const userinfo = at >= 0 ? authority!.slice(0, at) : '';
  const host = at >= 0 ? authority!.slice(at + 1) : authority!;
  const pieces = [...userinfo.split(':'), host.replace(/:\d+$/, ''), ...pathPart!.split('/'), ...(query ?? '').split('&').map((p) => p.split('=')[1] ?? '')];
  return pieces.map(safeDecode).filter((p) => /^[^.\s]{8,}$/.test(p) && (/\d/.test(p) || p.length >= 16));
}

function urlPassword(text: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:([^/?#@]+)@/i.exec(text.trim());
  return m ? safeDecode(m[1]!) : null;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
