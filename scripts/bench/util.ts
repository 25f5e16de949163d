/** Small helpers shared by the benchmark's parts: statistics, processes, PostgreSQL and /proc CPU accounting. */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import pg from 'pg';

export const execFileP = promisify(execFile);

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** `K=V,K2=V2` as an object (a value may hold `=`); '' is none. */
export function keyValues(list: string): Record<string, string> {
  return Object.fromEntries(
    list
      .split(',')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

/** The command-line option `--name=K=V,…` of `argv` as an object (absent: none). */
export function keyValuesOption(argv: string[], name: string): Record<string, string> {
  return keyValues(argv.find((x) => x.startsWith(`--${name}=`))?.slice(`--${name}=`.length) ?? '');
}

export function log(m: string): void {
  process.stderr.write(`bench: ${m}\n`);
}

/** Nearest-rank percentile of already sorted numbers. */
export function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface Dist {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  /** p99.9 */
  p999: number;
  max: number;
  mean: number;
}

export function dist(xs: number[]): Dist {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return {
    n: s.length,
    p50: round(pct(s, 50)),
    p95: round(pct(s, 95)),
    p99: round(pct(s, 99)),
    p999: round(pct(s, 99.9)),
    max: round(s.at(-1) ?? NaN),
    mean: round(mean),
  };
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function query<T = Record<string, any>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Runs `fn` over `items` with at most `n` at a time. */
export async function pool<T, R>(items: T[], n: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

// ---------------------------------------------------------------- CPU accounting from /proc (Linux)

const TICK = 100; // USER_HZ on Linux

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  cpu: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const comm = s.slice(s.indexOf('(') + 1, close);
    const f = s.slice(close + 2).split(' ');
    // fields after comm: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14); the children's part holds
    // what exited children used (a PostgreSQL backend whose pooled connection closed), so that a tree's total
    // does not drop when one of its processes ends
    return { pid, ppid: Number(f[1]), comm, cpu: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICK };
  } catch {
    return null;
  }
}

/** CPU seconds of one process (not its children), or 0 once it is gone. */
export function processCpu(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const after = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(after[11]) + Number(after[12])) / TICK;
  } catch {
    return 0;
  }
}

function allStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = readStat(Number(d));
    if (s) out.push(s);
  }
  return out;
}

/** CPU seconds used so far by `root` and all its descendants: those alive now, and the exited ones they reaped. */
export function treeCpu(root: number): number {
  const stats = allStats();
  const byParent = new Map<number, ProcStat[]>();
  for (const s of stats) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s]);
  let total = 0;
  const stack = stats.filter((s) => s.pid === root);
  while (stack.length) {
    const s = stack.pop()!;
    total += s.cpu;
    stack.push(...(byParent.get(s.pid) ?? []));
  }
  return total;
}

/** Busy and total CPU seconds of the whole machine (all cores) so far. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  const total = line.reduce((a, b) => a + b, 0) / TICK;
  const idle = (line[3] + line[4]) / TICK;
  return { busy: total - idle, total };
}

/** Measures CPU of named process trees, of this process and of the machine across an interval. */
export function cpuMeter(trees: Record<string, number | undefined>) {
  const start = {
    trees: Object.fromEntries(Object.entries(trees).map(([k, pid]) => [k, pid ? treeCpu(pid) : 0])),
    self: process.cpuUsage(),
    machine: machineCpu(),
    at: performance.now(),
  };
  return () => {
    const secs = (performance.now() - start.at) / 1000;
    const self = process.cpuUsage(start.self);
    const machine = machineCpu();
    const cores = (cpu: number) => round(cpu / secs, 2);
    const out: Record<string, number> = {};
    for (const [k, pid] of Object.entries(trees)) out[k] = pid ? cores(treeCpu(pid) - start.trees[k]) : NaN;
    out['load generator'] = cores((self.user + self.system) / 1e6);
    out['machine busy'] = cores(machine.busy - start.machine.busy);
    out['machine cores'] = round((machine.total - start.machine.total) / secs, 1);
    return out;
  };
}

/**
 * The children of a PostgreSQL postmaster now: each one's kind — `backends` (client connections), or a background
 * process by its title (walwriter, checkpointer, autovacuum worker, …) — and CPU seconds so far, by pid.
 */
export function postgresChildren(postmaster: number): Map<number, { kind: string; cpu: number }> {
  const out = new Map<number, { kind: string; cpu: number }>();
  for (const s of allStats()) {
    if (s.ppid !== postmaster) continue;
    let title = '';
    try {
      title = readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    } catch {
      continue;
    }
    const rest = title.replace(/^postgres: /, '');
    const kind =
      /^(checkpointer|background writer|walwriter|autovacuum launcher|autovacuum worker|logical replication launcher|io worker)/.exec(
        rest,
      )?.[1] ?? 'backends';
    out.set(s.pid, { kind, cpu: s.cpu });
  }
  return out;
}
