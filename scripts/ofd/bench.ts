/**
 * Benchmark of OFD output (issue [ofd-seal]: a 3-page 通知 ≤ 30 ms median). Build first, then:
 *
 *   npm run ofd:bench [-- iterations=30]
 *
 * Prints the median and p95 of: the page layout alone, the OFD with the fonts named only (layout, XML, zip), the OFD
 * with embedded font subsets (what the download and the filed original carry), and adding one seal container
 * (signOfd with an SM2 signer, SM3 digests of every part). Then the same as one JSON line.
 */
import { sm2 } from 'sm-crypto-v2';
import { typicalNoticeFixture } from '#gongwen/docx/fixtures';
import { layoutDocument } from '#gongwen/page-layout';
import { renderOfd, signOfd } from '#gongwen/ofd';

interface Stats {
  median: number;
  p95: number;
  bytes?: number;
}

async function measure(run: () => unknown, iterations: number, warmup = 3): Promise<Stats & { last: unknown }> {
  let last: unknown;
  for (let i = 0; i < warmup; i++) last = await run();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    last = await run();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 100) / 100;
  return {
    median: round(samples[Math.floor(samples.length / 2)]),
    p95: round(samples[Math.min(samples.length - 1, Math.ceil(0.95 * samples.length) - 1)]),
    last,
  };
}

async function main(): Promise<void> {
  const iterations = Number(process.argv[2] ?? 30);
  const f = typicalNoticeFixture();
  const pages = layoutDocument(f.content, f.ctx).pages.length;
  const layout = await measure(() => layoutDocument(f.content, f.ctx), iterations);
  const named = await measure(() => renderOfd(f.content, f.ctx, { embedFonts: false }), iterations);
  const embedded = await measure(() => renderOfd(f.content, f.ctx), Math.max(5, Math.round(iterations / 3)), 1);
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
  const rows = {
    pages,
    layout: { median: layout.median, p95: layout.p95 },
    ofdFontsNamed: { median: named.median, p95: named.p95, bytes: (named.last as Buffer).length },
    ofdFontsEmbedded: { median: embedded.median, p95: embedded.p95, bytes: ofd.length },
    seal: { median: seal.median, p95: seal.p95 },
    targetMs: 30,
  };
  console.log(`OFD of a ${pages}-page 通知 (${iterations} runs)`);
  console.log(`  layout only            median ${rows.layout.median} ms   p95 ${rows.layout.p95} ms`);
  console.log(
    `  OFD, fonts named       median ${rows.ofdFontsNamed.median} ms   p95 ${rows.ofdFontsNamed.p95} ms   ${rows.ofdFontsNamed.bytes} bytes`,
  );
  console.log(
    `  OFD, fonts embedded    median ${rows.ofdFontsEmbedded.median} ms   p95 ${rows.ofdFontsEmbedded.p95} ms   ${rows.ofdFontsEmbedded.bytes} bytes`,
  );
  console.log(`  seal container (SM2)   median ${rows.seal.median} ms   p95 ${rows.seal.p95} ms`);
  console.log(JSON.stringify(rows));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
