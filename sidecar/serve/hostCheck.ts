import { isIP } from 'node:net';

/**
 * Which Host headers the built-in server answers. A web page anywhere can point a name of
 * its own at 127.0.0.1 (DNS rebinding) and then read this machine's dashboard as its own
 * origin: the browser still sends that name as Host, so a name that is not ours is refused.
 *
 * Allowed: no Host at all (HTTP/1.0 tools; every browser sends one), `localhost`, loopback
 * addresses, the address or name the server was told to bind, the address the connection
 * arrived on, the --allowed-host names, and `*` for anything (behind a proxy that checks
 * Host itself). Bound to every address (0.0.0.0 or ::), any IP literal is allowed too:
 * rebinding needs a name, and behind Docker's port mapping or NAT the address the browser
 * used is not one of this machine's own.
 */
export interface HostRules {
  /** --host as given. */
  bound: string;
  /** --allowed-host, normalized (lower case, no trailing dot); `*` allows every Host. */
  allowed: readonly string[];
}

export const ALLOWED_HOST_FLAG = '--allowed-host';

export function hostChecker(rules: HostRules): (host: string | undefined, localAddress: string | undefined) => boolean {
  const any = rules.allowed.includes('*');
  const names = new Set(['localhost', ...rules.allowed]);
  const bound = normalizeName(rules.bound.replace(/^\[(.*)\]$/, '$1'));
  names.add(bound);
  const wildcard = bound === '0.0.0.0' || bound === '::';
  return (hostHeader, localAddress) => {
    if (any || hostHeader === undefined) return true;
    const host = hostName(hostHeader);
    if (host === null) return false;
    if (names.has(host)) return true;
    if (!isIP(host)) return false;
    return wildcard || isLoopback(host) || host === unmapped(localAddress ?? '');
  };
}

/** The name in a Host header: port dropped, IPv6 brackets removed, lower case, no trailing dot; null if malformed. */
export function hostName(header: string): string | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+))(?::\d{0,5})?$/.exec(header.trim());
  if (!m) return null;
  if (m[1] !== undefined) return isIP(m[1]) === 6 ? unmapped(m[1].toLowerCase()) : null;
  const name = normalizeName(m[2]!);
  return name === '' ? null : name;
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function unmapped(address: string): string {
  // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d.
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
}

function isLoopback(ip: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(ip) || ip === '::1' || ip === '0:0:0:0:0:0:0:1';
}

/** The one line a refused Host gets: which flag to set. The name is echoed only if it is a plain one. */
export function misdirectedLine(hostHeader: string): string {
  const host = hostName(hostHeader);
  const shown = host && /^[a-z0-9.-]{1,253}$/.test(host) ? host : 'NAME';
  return (
    `plowboard does not answer for this host name; to allow it start plowboard with ${ALLOWED_HOST_FLAG} ${shown} ` +
    `(or PLOWBOARD_ALLOWED_HOST, or "allowedHosts" in its config file)\n`
  );
}
