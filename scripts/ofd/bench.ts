/**
 * Benchmark of OFD output (issue [ofd-seal]: a 3-page 通知 ≤ 30 ms median). Build first, then:
 *
 *   npm run ofd:bench [-- iterations=30]
 *
 * Prints the median and p95 of: the page layout alone, the OFD with the fonts named only (layout, XML, zip), the OFD
 * with embedded font subsets (what the download and the filed original carry) for a document seen for the first
 * time (the finished-subset cache cleared before each run: every face subset anew from its resident GB 2312 cut) and
 * for the same document again (cached subsets), and adding one seal container (signOfd with an SM2 signer, SM3
 * digests of every part). The first OFD of the process (font lookup, each face's one-time cut and preprocessing) is
 * printed on its own, and in fresh child processes, alternating, cold and after warmFaces (the server's warm-up once
 * it listens). Each row gives wall-clock time and the process's CPU time (user + system) per run: on a shared,
 * loaded machine the wall clock also counts the time other processes held the cores. Then the same as one JSON line.
 */
import { sm2 } from 'sm-crypto-v2';
import { typicalNoticeFixture } from '#gongwen/docx/fixtures';
import { layoutDocument } from '#gongwen/page-layout';
import { spawnSync } from 'node:child_process';
import { clearSubsetCache, renderOfd, signOfd, warmFaces } from '#gongwen/ofd';

interface Stats {
  median: number;
  p95: number;
  cpuMedian: number;
  bytes?: number;
}

const round = (x: number): number => Math.round(x * 100) / 100;
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function measure(run: () => unknown, iterations: number, warmup = 3): Promise<Stats & { last: unknown }> {
  let last: unknown;
  for (let i = 0; i < warmup; i++) last = await run();
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    last = await run();
    samples.push(performance.now() - t0);
    cpu.push(cpuMs() - c0);
  }
  samples.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return {
    median: round(samples[Math.floor(samples.length / 2)]),
    p95: round(samples[Math.min(samples.length - 1, Math.ceil(0.95 * samples.length) - 1)]),
    cpuMedian: round(cpu[Math.floor(cpu.length / 2)]),
    last,
  };
}

/**
 * In a child process (`--first cold|warm`): the first OFD of a fresh process, either cold or after warmFaces (what
 * the server runs once listening); prints one JSON line.
 */
async function firstOfd(mode: string): Promise<void> {
  const f = typicalNoticeFixture();
  let warm = { ms: 0, cpuMs: 0, faces: 0 };
  if (mode === 'warm') {
    const c0 = cpuMs();
    const t0 = performance.now();
    const faces = await warmFaces();
    warm = { ms: round(performance.now() - t0), cpuMs: round(cpuMs() - c0), faces };
  }
  const c0 = cpuMs();
  const t0 = performance.now();
  await renderOfd(f.content, f.ctx);
  console.log(JSON.stringify({ mode, warm, first: { ms: round(performance.now() - t0), cpuMs: round(cpuMs() - c0) } }));
}

/** The first OFD of a process cold and after the start-up warm-up, alternating (A B A B) in fresh processes. */
function firstOfdRounds(rounds: number) {
  const out: { mode: string; warm: { ms: number; cpuMs: number; faces: number }; first: { ms: number; cpuMs: number } }[] = [];
  for (let i = 0; i < rounds; i++)
    for (const mode of ['cold', 'warm']) {
      const r = spawnSync(process.execPath, [process.argv[1]!, '--first', mode], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`the ${mode} child failed: ${r.stderr}`);
      out.push(JSON.parse(r.stdout.trim().split('\n').at(-1)!));
    }
  return out;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--first') return firstOfd(process.argv[3] ?? 'cold');
  const iterations = Number(process.argv[2] ?? 30);
  const rounds = firstOfdRounds(2);
  const f = typicalNoticeFixture();
  const c0 = cpuMs();
  const t0 = performance.now();
  await renderOfd(f.content, f.ctx);
  const first = { ms: round(performance.now() - t0), cpuMs: round(cpuMs() - c0) };
  const pages = layoutDocument(f.content, f.ctx).pages.length;
  const layout = await measure(() => layoutDocument(f.content, f.ctx), iterations);
  const named = await measure(() => renderOfd(f.content, f.ctx, { embedFonts: false }), iterations);
  const fresh = await measure(() => {
    clearSubsetCache();
    return renderOfd(f.content, f.ctx);
  }, iterations);
  const embedded = await measure(() => renderOfd(f.content, f.ctx), iterations);
  const keys = sm2.generateKeyPairHex();
  const ofd = embedded.last as Buffer;
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
  const seal = await measure(
    () =>
      signOfd(ofd, {
        page: pages,
        boundaryMm: [117, 100, 42, 42],
        stamp: png,
        sign: async (xml) => Buffer.from(sm2.doSignature(xml, keys.privateKey, { hash: true, der: true }), 'hex'),
      }),
    iterations,
  );
  const row = (s: Stats, bytes?: number) => ({ median: s.median, p95: s.p95, cpuMedian: s.cpuMedian, ...(bytes ? { bytes } : {}) });
  const rows = {
    pages,
    firstOfd: first,
    layout: row(layout),
    ofdFontsNamed: row(named, (named.last as Buffer).length),
    ofdFontsEmbeddedNewDocument: row(fresh, (fresh.last as Buffer).length),
    ofdFontsEmbedded: row(embedded, ofd.length),
    seal: row(seal),
    firstOfdOfAProcess: rounds,
    targetMs: 30,
  };
  const line = (label: string, s: Stats, bytes?: number): void =>
    console.log(
      `  ${label.padEnd(34)} median ${String(s.median).padStart(7)} ms   p95 ${String(s.p95).padStart(7)} ms   cpu ${String(s.cpuMedian).padStart(7)} ms${bytes ? `   ${bytes} bytes` : ''}`,
    );
  console.log(`OFD of a ${pages}-page 通知 (${iterations} runs; first OFD of the process ${first.ms} ms, cpu ${first.cpuMs} ms)`);
  line('layout only', layout);
  line('OFD, fonts named', named, (named.last as Buffer).length);
  line('OFD, fonts embedded, new document', fresh, (fresh.last as Buffer).length);
  line('OFD, fonts embedded, same again', embedded, ofd.length);
  line('seal container (SM2)', seal);
  console.log('first OFD of a fresh process (alternating; the server warms the faces once listening, off the request path):');
  for (const r of rounds)
    console.log(
      r.mode === 'cold'
        ? `  cold                               first OFD ${String(r.first.ms).padStart(7)} ms   cpu ${String(r.first.cpuMs).padStart(7)} ms`
        : `  after the start-up warm-up         first OFD ${String(r.first.ms).padStart(7)} ms   cpu ${String(r.first.cpuMs).padStart(7)} ms   (warm-up: ${r.warm.faces} faces, ${r.warm.ms} ms, cpu ${r.warm.cpuMs} ms)`,
    );
  console.log(JSON.stringify(rows));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
