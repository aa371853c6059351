/**
 * Files whose figures may trail by a little are written at most once per their own period:
 * the first change after a quiet spell goes out at once, later ones wait out the period from
 * the last write. Nothing waits longer than that: the heartbeat publishes whenever nothing
 * else does, and each publish asks again. A failed write needs nothing here: the writer forgets
 * the file, and a file not written goes out whatever its cadence says.
 */
export class Cadence {
  private readonly lastMs = new Map<string, number>();

  due(name: string, nowMs: number, periodMs: number): boolean {
    const last = this.lastMs.get(name);
    return last === undefined || nowMs - last >= periodMs;
  }

  done(name: string, nowMs: number): void {
    this.lastMs.set(name, nowMs);
  }
}
