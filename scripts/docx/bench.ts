/**
 * Benchmark of the GB/T 9704 DOCX renderer against the bare `docx` package building the same paragraphs with
 * minimal styling. Build first (`npx tsc -p tsconfig.build.json`), then:
 *
 *   node dist/scripts/docx/bench.js [iterations=50]
 *
 * Prints median and p95 per document and renderer, the ratio gongwen/bare, then the same as one JSON line.
 */
import { pathToFileURL } from 'node:url';
import { AlignmentType, Document, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from 'docx';
import { bodyBlocks, type Block, type DocumentContent, type RenderContext } from '#gongwen/document/model';
import { longFixture, typicalNoticeFixture, type Fixture } from '#gongwen/docx/fixtures';
import { renderDocx } from '#gongwen/docx/render';

/** The same text as the renderer writes, with docx's defaults: one paragraph per element, A4, no styles. */
export async function renderBare(content: DocumentContent, ctx: RenderContext): Promise<Buffer> {
  const p = (text: string, alignment?: (typeof AlignmentType)[keyof typeof AlignmentType]): Paragraph =>
    new Paragraph({ alignment, children: [new TextRun(text)] });
  const block = (b: Block): (Paragraph | Table)[] => {
    switch (b.type) {
      case 'heading':
      case 'paragraph':
        return [p(b.text)];
      case 'list':
        return b.items.map((i) => p(i));
      case 'table':
        return [new Table({ rows: b.rows.map((r) => new TableRow({ children: r.map((c) => new TableCell({ children: [p(c)] })) })) })];
    }
  };
  const children: (Paragraph | Table)[] = [
    p(`${content.issuers.map((i) => i.name).join('')}文件`, AlignmentType.CENTER),
    p(ctx.documentNumber ?? '', AlignmentType.CENTER),
    p(content.title, AlignmentType.CENTER),
    p(content.mainRecipients.join('，') + '：'),
    ...bodyBlocks(content).flatMap(block),
    ...content.attachments.map((a, i) => p(`${i + 1}. ${a.title}`)),
    ...content.issuers.map((i) => p(i.name, AlignmentType.RIGHT)),
    p(ctx.dateOfIssue ?? '', AlignmentType.RIGHT),
    p(`抄送：${content.copiesTo.join('，')}。`),
    p(`${ctx.printedBy ?? ''} ${ctx.printedDate ?? ''}印发`),
  ];
  const doc = new Document({
    sections: [{ properties: { page: { size: { width: 11906, height: 16838 } } }, children }],
  });
  return Packer.toBuffer(doc);
}

interface Stats {
  median: number;
  p95: number;
  mean: number;
  bytes: number;
}

function stats(samples: number[], bytes: number): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const round = (x: number): number => Math.round(x * 100) / 100;
  return {
    median: round(sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2),
    p95: round(at(0.95)),
    mean: round(samples.reduce((a, b) => a + b, 0) / samples.length),
    bytes,
  };
}

/** Runs the two renderers alternately (after a warm-up of both), so that JIT, GC and CPU state hit both alike. */
async function measurePair(
  a: () => Promise<Buffer>,
  b: () => Promise<Buffer>,
  iterations: number,
  warmup: number,
): Promise<[Stats, Stats]> {
  for (let i = 0; i < warmup; i++) {
    await a();
    await b();
  }
  const sa: number[] = [];
  const sb: number[] = [];
  let bytesA = 0;
  let bytesB = 0;
  for (let i = 0; i < iterations; i++) {
    const first = i % 2 === 0 ? a : b;
    const second = i % 2 === 0 ? b : a;
    for (const fn of [first, second]) {
      const t0 = performance.now();
      const buf = await fn();
      const dt = performance.now() - t0;
      if (fn === a) {
        sa.push(dt);
        bytesA = buf.length;
      } else {
        sb.push(dt);
        bytesB = buf.length;
      }
    }
  }
  return [stats(sa, bytesA), stats(sb, bytesB)];
}

export interface BenchResult {
  document: string;
  iterations: number;
  gongwen: Stats;
  bare: Stats;
  ratio: number;
}

export async function bench(iterations = 50): Promise<BenchResult[]> {
  const docs: [string, Fixture, number][] = [
    ['typical 3-page 通知', typicalNoticeFixture(), iterations],
    ['30-page 通知', longFixture(30), Math.max(10, Math.round(iterations / 2))],
  ];
  const results: BenchResult[] = [];
  for (const [name, f, n] of docs) {
    const warmup = Math.max(10, Math.round(n / 5));
    const [gongwen, bare] = await measurePair(
      () => renderDocx(f.content, f.ctx),
      () => renderBare(f.content, f.ctx),
      n,
      warmup,
    );
    results.push({ document: name, iterations: n, gongwen, bare, ratio: Math.round((gongwen.median / bare.median) * 100) / 100 });
  }
  return results;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const iterations = Number(process.argv[2] ?? 50) || 50;
  const results = await bench(iterations);
  console.log(`node ${process.version}, ${iterations} iterations (30-page: ${results[1].iterations})`);
  for (const r of results) {
    console.log(
      `${r.document.padEnd(20)} gongwen median ${r.gongwen.median.toFixed(1)} ms  p95 ${r.gongwen.p95.toFixed(1)} ms  (${r.gongwen.bytes} B)` +
        ` | bare docx median ${r.bare.median.toFixed(1)} ms  p95 ${r.bare.p95.toFixed(1)} ms  (${r.bare.bytes} B)` +
        ` | ratio ${r.ratio.toFixed(2)}`,
    );
  }
  console.log(JSON.stringify({ node: process.version, results }));
}
