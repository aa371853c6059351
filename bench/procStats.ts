import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** CPU seconds (user + system) a process has used, from /proc/PID/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident memory in MiB, from /proc/PID/status. */
export function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/**
 * Memory this process alone holds, in MiB (Private_Clean + Private_Dirty of smaps_rollup):
 * the heap and malloc, not the pages of the interpreter's own binary that RSS counts too —
 * those are shared with every other process running it and dropped by the kernel first.
 */
export function privateMiB(pid: number): number {
  const m = smapsMiB(pid);
  return m.privateClean + m.privateDirty;
}

/** The parts of smaps_rollup that tell memory apart, in MiB: anonymous is the heap and malloc. */
export function smapsMiB(pid: number): { privateClean: number; privateDirty: number; anonymous: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const mib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0) / 1024;
  return { privateClean: mib('Private_Clean'), privateDirty: mib('Private_Dirty'), anonymous: mib('Anonymous') };
}

/** CPU as a percentage of one core over `seconds`, and RSS sampled every second. */
export async function watchProcess(pid: number, seconds: number): Promise<{ cpuPercent: number; rss: number[] }> {
  const rss: number[] = [];
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  for (let i = 0; i < seconds; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    rss.push(rssMiB(pid));
  }
  const elapsed = (performance.now() - t0) / 1000;
  return { cpuPercent: ((cpuSeconds(pid) - cpu0) / elapsed) * 100, rss };
}

export function summary(xs: number[]): { median: number; min: number; max: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s.at(-1)!, p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]! };
}

export interface Watched {
  cpuPercent: number;
  rss: number[];
  /** privateMiB(), sampled with rss. */
  private: number[];
}

/** Several processes over the same window: each one's CPU (% of one core) and its memory samples, one a second. */
export async function watchMany(pids: Record<string, number>, seconds: number): Promise<Record<string, Watched>> {
  const names = Object.keys(pids);
  const cpu0 = Object.fromEntries(names.map((n) => [n, cpuSeconds(pids[n]!)]));
  const rss: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const priv: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(1000, end - performance.now())));
    for (const n of names) {
      rss[n]!.push(rssMiB(pids[n]!));
      priv[n]!.push(privateMiB(pids[n]!));
    }
  }
  const elapsed = (performance.now() - t0) / 1000;
  return Object.fromEntries(names.map((n) => [n, { cpuPercent: ((cpuSeconds(pids[n]!) - cpu0[n]!) / elapsed) * 100, rss: rss[n]!, private: priv[n]! }]));
}
