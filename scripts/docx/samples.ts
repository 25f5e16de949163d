/**
 * Regenerates the sample outputs of the GB/T 9704 renderer: a 通知, a joint 请示 and a 纪要, as DOCX, plus PDF when
 * LibreOffice (soffice) is installed. With LibreOffice each sample is rendered for print as the filed original is
 * (the 版记 moved to an even page when needed; the shipped font set). Build first (`npx tsc -p tsconfig.build.json`),
 * then from the repository root:
 *
 *   node dist/scripts/docx/samples.js [output directory, default samples/]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jointRequestFixture, minutesFixture, noticeFixture } from '#gongwen/docx/fixtures';
import { renderDocx } from '#gongwen/docx/render';
import { renderForPrint } from '#gongwen/archive/office';

export async function writeSamples(outDir: string): Promise<{ docx: string[]; pdf: string[] }> {
  mkdirSync(outDir, { recursive: true });
  const office = spawnSync('soffice', ['--version'], { stdio: 'ignore' }).status === 0;
  const docx: string[] = [];
  const pdf: string[] = [];
  for (const f of [noticeFixture(), jointRequestFixture(), minutesFixture()]) {
    // ASCII file names keep the repository portable; the download name would be docxFileName(f.content, f.ctx).
    const file = join(outDir, `${f.name}.docx`);
    if (office) {
      const printed = await renderForPrint(f.content, f.ctx);
      writeFileSync(file, printed.docx);
      writeFileSync(file.replace(/\.docx$/, '.pdf'), printed.pdf);
      pdf.push(file.replace(/\.docx$/, '.pdf'));
    } else {
      writeFileSync(file, await renderDocx(f.content, f.ctx));
    }
    docx.push(file);
  }
  return { docx, pdf };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const outDir = resolve(process.argv[2] ?? 'samples');
  const { docx, pdf } = await writeSamples(outDir);
  for (const f of [...docx, ...pdf]) console.log(f);
  if (!pdf.length) console.log('soffice not found: DOCX only (install libreoffice-writer-nogui for the PDFs)');
}
