import { createServer } from 'node:net';

/** A port nothing listens on right now (the kernel picks it, then we let it go). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The least a wait gives its condition. A wait is for something to happen, not a claim about
 * how fast: on a loaded machine (two cores, two rclones' worth of tests, Chromium) a process
 * can take many times its quiet start-up, and that must slow the suite, never fail it. How
 * fast is asserted apart, where it is promised.
 */
export const WAIT_CEILING_MS = 60_000;

/** Polls `fn` every `stepMs` until it returns something truthy; `timeoutMs` is raised to WAIT_CEILING_MS. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = WAIT_CEILING_MS, stepMs = 100): Promise<T> {
  const deadline = Date.now() + Math.max(timeoutMs, WAIT_CEILING_MS);
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
