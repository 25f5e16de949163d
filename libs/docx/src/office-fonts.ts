/**
 * The font set gongwen renders with: every LibreOffice run gongwen makes (filed originals, page counts, samples,
 * the layout tests) sets FONTCONFIG_FILE to libs/docx/fonts/fonts.conf, which maps the standard font names the DOCX
 * keeps (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312, 宋体, Times New Roman) to free Simplified-Chinese faces of the
 * same role and rejects the JP/KR/TC variants of Noto CJK. The file ships in the repository, not in dist/: it is
 * looked up from this module's directory in the source tree and in the built tree.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';

let cached: string | undefined;

/** Absolute path of the shipped fontconfig file (GONGWEN_FONTCONFIG_FILE overrides it). */
export function fontconfigFile(): string {
  if (process.env.GONGWEN_FONTCONFIG_FILE) return process.env.GONGWEN_FONTCONFIG_FILE;
  if (cached) return cached;
  const here = dirname(fileURLToPath(import.meta.url));
  // libs/docx/src → ../fonts; dist/libs/docx/src → ../../../../libs/docx/fonts
  const candidates = [resolve(here, '../fonts/fonts.conf'), resolve(here, '../../../../libs/docx/fonts/fonts.conf')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`gongwen's fontconfig file is missing (looked in ${candidates.join(', ')})`);
  cached = found;
  return found;
}

/** The environment for a LibreOffice run: the given one with FONTCONFIG_FILE set to gongwen's font set. */
export function officeEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, FONTCONFIG_FILE: fontconfigFile() };
}

/**
 * The face each role must render with through that file (PostScript-name prefixes as `pdffonts` lists them, with
 * any subset tag removed). The layout tests hold the PDFs to it.
 */
export const RENDER_FACES = {
  title: 'NotoSerifCJKsc-Bold',
  fangsong: 'ARPLSungtiLGB',
  hei: 'NotoSansCJKsc-Regular',
  kai: 'LXGWWenKai-Regular',
  song: 'NotoSerifCJKsc-Regular',
  latin: 'LiberationSerif',
} as const;

/**
 * The DOCX as LibreOffice must read it to lay it out as Word does. LibreOffice (7.4 to the current 25.x) imports
 * w:overflowPunct inverted (its DOCX filter sets "hanging punctuation" when the value is 0), so the file that Word and
 * WPS read, which turns hanging punctuation off with w:val="0", is given w:val="1" for LibreOffice. Only the styles
 * part is touched; the text is not.
 */
export async function prepareForLibreOffice(docx: Buffer): Promise<Buffer> {
  const zip = await JSZip.loadAsync(docx);
  const styles = zip.file('word/styles.xml');
  if (!styles) return docx;
  const xml = await styles.async('string');
  const flipped = xml.replace(/<w:overflowPunct w:val="0"\/>/g, '<w:overflowPunct w:val="1"/>');
  if (flipped === xml) return docx;
  zip.file('word/styles.xml', flipped);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}
