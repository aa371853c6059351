/** Splits credentials out of an RC URL so that only the bare URL is ever shown. */
export interface ParsedRcUrl {
  url: string;
  user: string | null;
  pass: string | null;
}

export function parseRcUrl(raw: string): ParsedRcUrl {
  const text = raw.trim();
  // rclone's --rc-addr takes host:port without a scheme; cloudplow users copy it that way.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    // Not echoed: a URL that does not parse may hold a password where no rule can find it.
    throw new Error('not a URL (expected http://host:port)');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`only http and https are supported, not ${u.protocol}`);
  const user = u.username ? decodeURIComponent(u.username) : null;
  const pass = u.password ? decodeURIComponent(u.password) : null;
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  return { url: u.toString().replace(/\/+$/, ''), user, pass };
}
