/**
 * The response headers plowboard's pages are served with, by the built-in server and by
 * deploy/nginx.conf alike. The pages need nothing from other hosts, no inline script and
 * no eval (Vega runs with its expression interpreter), so the policy can be this tight.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** Data and pages change in place: always revalidate (ETag makes that a cheap 304). */
export const REVALIDATE = 'no-cache';
/** Asset names carry a content hash: a new build gets a new name. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
