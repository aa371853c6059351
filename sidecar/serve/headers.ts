/**
 * The response headers plowboard's pages are served with, by the built-in server and by
 * deploy/nginx.conf alike. The pages need nothing from other hosts, no inline script and
 * no eval (Vega runs with its expression interpreter), so the policy can be this tight.
 */
export function contentSecurityPolicy(frameAncestors = "'self'"): string {
  // frame-ancestors: only plowboard's own pages may frame it (clickjacking), unless the
  // user names a kiosk or home dashboard that embeds it (--frame-ancestors).
  return (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    `font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors ${frameAncestors}`
  );
}

export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

export function securityHeaders(frameAncestors?: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(frameAncestors),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

export const SECURITY_HEADERS: Record<string, string> = securityHeaders();

/** serve-handler's header rules with the policy for this server's frame-ancestors. */
export function withFrameAncestors<T extends { source: string; headers: Array<{ key: string; value: string }> }>(rules: T[], frameAncestors?: string): T[] {
  const policy = contentSecurityPolicy(frameAncestors);
  return rules.map((r) => ({ ...r, headers: r.headers.map((h) => (h.key === 'Content-Security-Policy' ? { ...h, value: policy } : h)) }));
}

/** Data and pages change in place: always revalidate (ETag makes that a cheap 304). */
export const REVALIDATE = 'no-cache';
/** Asset names carry a content hash: a new build gets a new name. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
