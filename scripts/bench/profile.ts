/** Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by package. */
import { readFileSync } from 'node:fs';
import { round } from './util.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** Sampled wall time of the main thread, ms. */
  totalMs: number;
  /** Share of the sampled time the thread was idle (waiting for I/O). */
  idlePct: number;
  gcPct: number;
  topFunctions: { fn: string; where: string; selfMs: number; pctOfBusy: number }[];
  /** Self time by layer: each sample goes to the first layer (in a fixed priority order) found on its stack. */
  byLayer: { layer: string; pctOfBusy: number }[];
  byPackage: { pkg: string; selfMs: number; pctOfBusy: number }[];
}

function where(url: string, root: string): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith(root) ? path.slice(root.length + 1) : path;
}

function packageOf(url: string, root: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node core';
  const p = where(url, root);
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p);
  if (nm) return nm[1];
  if (p.startsWith('dist/')) return `gongwen ${p.split('/').slice(1, 3).join('/')}`;
  return p;
}

/**
 * `window`: only samples taken between these CLOCK_MONOTONIC µs (V8 timestamps use the same clock as
 * process.hrtime on Linux), so that start-up and shutdown do not count; ignored when it misses the profile.
 */
export function summariseProfile(file: string, root: string, window?: [number, number], top = 15): ProfileSummary & { windowed: boolean } {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const windowed = !!window && window[0] < prof.endTime && window[1] > prof.startTime;
  let t = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) {
    t += prof.timeDeltas[i] ?? 0;
    if (windowed && (t < window![0] || t > window![1])) continue;
    self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000);
  }
  let total = 0;
  let idle = 0;
  let gc = 0;
  const byFn = new Map<string, { fn: string; where: string; selfMs: number }>();
  const byPkg = new Map<string, number>();
  for (const [id, ms] of self) {
    const n = nodes.get(id)!;
    const name = n.callFrame.functionName || '(anonymous)';
    total += ms;
    if (name === '(idle)') {
      idle += ms;
      continue;
    }
    if (name === '(garbage collector)') gc += ms;
    const w = n.callFrame.url ? `${where(n.callFrame.url, root)}:${n.callFrame.lineNumber + 1}` : '';
    const key = `${name}@${w}`;
    const e = byFn.get(key) ?? { fn: name, where: w, selfMs: 0 };
    e.selfMs += ms;
    byFn.set(key, e);
    const pkg = name.startsWith('(') ? name : packageOf(n.callFrame.url, root);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + ms);
  }
  const busy = total - idle;
  // layers: the application's own steps (STEPS) take every sample with one of them anywhere on its stack, in
  // this order (so zod's JSON-schema export under view() counts as view); any other sample goes to the layer of
  // its nearest frame that has one (the code that spent the time, not whatever framework called it: every
  // handler runs under NestJS and Fastify frames)
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const STEPS: [string, RegExp][] = [
    ['DocumentsService.view (response body: allowed events with JSON schemas, tasks)', /^view\|.*documents\.service/],
    [
      'workflow machine (XState: restore, permitted events, apply, persist)',
      /^(applyEvent|isPermitted|permittedEvents|restoreSnapshot|persistSnapshot|createOutgoingSnapshot)\|/,
    ],
    ['audit hash (canonical JSON + SHA-256)', /^(auditHash|canonicalJson|sha256Hex)\|/],
  ];
  const LAYERS: [string, RegExp][] = [
    [
      'pg driver (protocol, rows)',
      /node_modules\/(pg|pg-protocol|pg-types|pg-pool|postgres-array|postgres-date|postgres-interval|postgres-bytea)\//,
    ],
    ['TypeORM', /node_modules\/typeorm\//],
    ['request logging (pino)', /node_modules\/pino\//],
    ['metrics (prom-client)', /node_modules\/prom-client\/|health\/metrics\.js/],
    ['helmet', /node_modules\/helmet\//],
    ['zod validation', /node_modules\/zod\//],
    ['NestJS', /node_modules\/@nestjs\//],
    [
      'Fastify (routing, hooks, body parsing, replies)',
      /node_modules\/(fastify|find-my-way|@fastify|avvio|secure-json-parse|fast-json-stringify|fast-querystring|light-my-request)\//,
    ],
    ['node http', /node:_http|_http_/],
    ['gongwen API (other)', /dist\/(apps|libs|workflows)\//],
  ];
  const layer = new Map<string, number>();
  for (const [id, ms] of self) {
    const leaf = nodes.get(id)!;
    const fn = leaf.callFrame.functionName;
    if (fn === '(idle)') continue;
    let name = 'other';
    if (/^(writev|writeBuffer|writeUtf8String|writeLatin1String)$/.test(fn))
      name = 'socket writes (HTTP answers, PostgreSQL queries; on a saturated CPU includes time descheduled)';
    else if (fn === '(garbage collector)') name = 'garbage collector';
    else {
      const frames: string[] = []; // leaf first
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const f = nodes.get(cur)!.callFrame;
        frames.push(`${f.functionName}|${f.url}`);
      }
      const step = STEPS.find(([, re]) => frames.some((f) => re.test(f)));
      if (step) name = step[0];
      else {
        for (const f of frames) {
          const hit = LAYERS.find(([, re]) => re.test(f));
          if (hit) {
            name = hit[0];
            break;
          }
        }
      }
    }
    layer.set(name, (layer.get(name) ?? 0) + ms);
  }
  return {
    byLayer: [...layer.entries()].sort((a, b) => b[1] - a[1]).map(([l, ms]) => ({ layer: l, pctOfBusy: round((ms / busy) * 100, 1) })),
    windowed,
    totalMs: round(total, 0),
    idlePct: round((idle / total) * 100, 1),
    gcPct: round((gc / busy) * 100, 1),
    topFunctions: [...byFn.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((e) => ({ ...e, selfMs: round(e.selfMs, 0), pctOfBusy: round((e.selfMs / busy) * 100, 1) })),
    byPackage: [...byPkg.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([pkg, ms]) => ({ pkg, selfMs: round(ms, 0), pctOfBusy: round((ms / busy) * 100, 1) })),
  };
}
