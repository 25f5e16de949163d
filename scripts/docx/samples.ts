/**
 * Regenerates the sample outputs of the GB/T 9704 renderer: a 通知, a joint 请示 and a 纪要, as DOCX, plus PDF when
 * LibreOffice (soffice) is installed. Build first (`npx tsc -p tsconfig.build.json`), then from the repository root:
 *
 *   node dist/scripts/docx/samples.js [output directory, default samples/]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jointRequestFixture, minutesFixture, noticeFixture } from '../../libs/docx/src/fixtures.js';
import { renderDocx } from '../../libs/docx/src/render.js';

export async function writeSamples(outDir: string): Promise<{ docx: string[]; pdf: string[] }> {
  mkdirSync(outDir, { recursive: true });
  const docx: string[] = [];
  for (const f of [noticeFixture(), jointRequestFixture(), minutesFixture()]) {
    // ASCII file names keep the repository portable; the download name would be docxFileName(f.content, f.ctx).
    const file = join(outDir, `${f.name}.docx`);
    writeFileSync(file, await renderDocx(f.content, f.ctx));
    docx.push(file);
  }
  const pdf: string[] = [];
  if (spawnSync('soffice', ['--version'], { stdio: 'ignore' }).status === 0) {
    // A fresh profile: no clash with a LibreOffice that is already running.
    const profile = mkdtempSync(join(tmpdir(), 'gongwen-lo-'));
    try {
      const r = spawnSync(
        'soffice',
        [`-env:UserInstallation=${pathToFileURL(profile).href}`, '--headless', '--convert-to', 'pdf', '--outdir', outDir, ...docx],
        { encoding: 'utf8', timeout: 180_000 },
      );
      if (r.status !== 0) throw new Error(`soffice failed (${r.status}): ${r.stderr}`);
      pdf.push(...docx.map((d) => d.replace(/\.docx$/, '.pdf')));
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
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
