/**
 * Reading rendered PDFs for the layout proof: LibreOffice conversion, poppler's pdfinfo / pdftotext -bbox-layout /
 * pdftoppm, in points and millimetres.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { officeEnv, prepareForLibreOffice } from '#gongwen/docx/office-fonts';

export const MM_PER_PT = 25.4 / 72;
export const mm = (pt: number): number => pt * MM_PER_PT;

const INSTALL_HINT =
  'apt-get install libreoffice-writer-nogui poppler-utils fonts-noto-cjk fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-lxgw-wenkai fonts-liberation2';

/** Fails (does not skip) when a tool of the proof is missing. */
export function requireTools(): void {
  const tools: [string, string[]][] = [
    ['soffice', ['--version']],
    ['pdfinfo', ['-v']],
    ['pdftotext', ['-v']],
    ['pdftoppm', ['-v']],
  ];
  const missing = tools.filter(([cmd, args]) => spawnSync(cmd, args, { stdio: 'ignore' }).error !== undefined).map(([c]) => c);
  if (missing.length) {
    throw new Error(`The DOCX layout proof needs ${missing.join(', ')} on the PATH (${INSTALL_HINT}); it does not skip.`);
  }
}

/**
 * Converts DOCX files to PDF in one soffice run with a fresh profile (no lock conflicts with other runs), with the
 * shipped font set and each file prepared for LibreOffice as gongwen's own conversions do (copies; the files stay).
 */
export async function convertToPdf(files: string[], outDir: string, profileDir: string): Promise<void> {
  const inDir = join(profileDir, '..', `lo-in-${Math.random().toString(36).slice(2)}`);
  mkdirSync(inDir, { recursive: true });
  const inputs: string[] = [];
  for (const f of files) {
    const copy = join(inDir, basename(f));
    writeFileSync(copy, await prepareForLibreOffice(readFileSync(f)));
    inputs.push(copy);
  }
  const r = spawnSync(
    'soffice',
    [
      `-env:UserInstallation=${pathToFileURL(profileDir).href}`,
      '--headless',
      '--norestore',
      '--convert-to',
      'pdf',
      '--outdir',
      outDir,
      ...inputs,
    ],
    { encoding: 'utf8', timeout: 120_000, env: officeEnv() },
  );
  if (r.error) throw r.error;
  rmSync(inDir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`soffice exited with ${r.status}: ${r.stderr}`);
}

export interface PageSize {
  width: number;
  height: number;
}

export function pageSizes(pdf: string): PageSize[] {
  const out = execFileSync('pdfinfo', ['-f', '1', '-l', '9999', pdf], { encoding: 'utf8' });
  return [...out.matchAll(/Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/g)].map((m) => ({ width: Number(m[1]), height: Number(m[2]) }));
}

export interface Word {
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
  text: string;
}
export interface Line extends Word {
  words: Word[];
}
export interface Page {
  width: number;
  height: number;
  lines: Line[];
}

const unescape = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** Lines and words of every page, with boxes in points from the top left of the page. */
export function readLayout(pdf: string): Page[] {
  const xml = execFileSync('pdftotext', ['-bbox-layout', pdf, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const box = (attrs: string): Omit<Word, 'text'> => {
    const v = (k: string): number => Number(new RegExp(`${k}="([\\d.-]+)"`).exec(attrs)![1]);
    return { xMin: v('xMin'), yMin: v('yMin'), xMax: v('xMax'), yMax: v('yMax') };
  };
  return [...xml.matchAll(/<page width="([\d.]+)" height="([\d.]+)">([\s\S]*?)<\/page>/g)].map((p) => ({
    width: Number(p[1]),
    height: Number(p[2]),
    lines: [...p[3].matchAll(/<line ([^>]*)>([\s\S]*?)<\/line>/g)]
      .map((l) => {
        const words = [...l[2].matchAll(/<word ([^>]*)>([^<]*)<\/word>/g)].map((w) => ({ ...box(w[1]), text: unescape(w[2]) }));
        return { ...box(l[1]), words, text: words.map((w) => w.text).join(' ') };
      })
      .sort((a, b) => a.yMin - b.yMin || a.xMin - b.xMin),
  }));
}

/** The text of the whole document as pdftotext reads it (reading order), one string per page. */
export function pageTexts(pdf: string): string[] {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\f');
}

export interface Raster {
  width: number;
  height: number;
  dpi: number;
  /** RGB bytes, row by row. */
  data: Buffer;
}

/** Renders one page with pdftoppm (PPM). */
export function rasterize(pdf: string, page: number, dpi: number, tmpDir: string): Raster {
  const prefix = join(tmpDir, `raster-${page}-${dpi}-${Math.random().toString(36).slice(2)}`);
  execFileSync('pdftoppm', ['-r', String(dpi), '-f', String(page), '-l', String(page), pdf, prefix]);
  const dir = prefix.slice(0, prefix.lastIndexOf('/'));
  const base = prefix.slice(prefix.lastIndexOf('/') + 1);
  const file = readdirSync(dir).find((n) => n.startsWith(base) && n.endsWith('.ppm'));
  if (!file) throw new Error(`pdftoppm wrote no image for page ${page} of ${pdf}`);
  const buf = readFileSync(join(dir, file));
  rmSync(join(dir, file));
  // P6 header: magic, width, height, maxval, one whitespace byte.
  const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(buf.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error('not a binary PPM');
  const [width, height] = [Number(header[1]), Number(header[2])];
  return { width, height, dpi, data: buf.subarray(header[0].length) };
}

export type PixelTest = (r: number, g: number, b: number) => boolean;
export const isRed: PixelTest = (r, g, b) => r > 180 && g < 110 && b < 110;
export const isDark: PixelTest = (r, g, b) => r < 110 && g < 110 && b < 110;

export interface Band {
  /** Millimetres from the top and left of the page. */
  top: number;
  bottom: number;
  left: number;
  right: number;
  pixels: number;
}

/** Horizontal bands of consecutive pixel rows that have pixels passing the test, within an optional y range (mm). */
export function bands(img: Raster, test: PixelTest, yFromMm = 0, yToMm = 1e9): Band[] {
  const px2mm = (p: number): number => (p / img.dpi) * 25.4;
  const y0 = Math.max(0, Math.floor((yFromMm / 25.4) * img.dpi));
  const y1 = Math.min(img.height, Math.ceil((yToMm / 25.4) * img.dpi));
  const out: Band[] = [];
  let cur: { top: number; bottom: number; left: number; right: number; pixels: number } | undefined;
  for (let y = y0; y < y1; y++) {
    let left = Infinity;
    let right = -1;
    let count = 0;
    for (let x = 0; x < img.width; x++) {
      const i = (y * img.width + x) * 3;
      if (test(img.data[i], img.data[i + 1], img.data[i + 2])) {
        count++;
        if (x < left) left = x;
        right = x;
      }
    }
    if (count) {
      if (cur && cur.bottom === y) {
        cur.bottom = y + 1;
        cur.left = Math.min(cur.left, left);
        cur.right = Math.max(cur.right, right + 1);
        cur.pixels += count;
      } else {
        if (cur) out.push(cur);
        cur = { top: y, bottom: y + 1, left, right: right + 1, pixels: count };
      }
    }
  }
  if (cur) out.push(cur);
  return out.map((b) => ({ top: px2mm(b.top), bottom: px2mm(b.bottom), left: px2mm(b.left), right: px2mm(b.right), pixels: b.pixels }));
}

/** Count of pixels passing the test inside a box given in millimetres. */
export function countIn(img: Raster, test: PixelTest, box: { top: number; bottom: number; left: number; right: number }): number {
  const p = (v: number): number => Math.round((v / 25.4) * img.dpi);
  let n = 0;
  for (let y = Math.max(0, p(box.top)); y < Math.min(img.height, p(box.bottom)); y++) {
    for (let x = Math.max(0, p(box.left)); x < Math.min(img.width, p(box.right)); x++) {
      const i = (y * img.width + x) * 3;
      if (test(img.data[i], img.data[i + 1], img.data[i + 2])) n++;
    }
  }
  return n;
}

export interface FontedText {
  page: number;
  text: string;
  /** The embedded font's full name as pdffonts lists it, without the subset tag (e.g. NotoSerifCJKjp-Bold-VKana). */
  font: string;
  /** Size in points. */
  size: number;
}

/** Every text run of a PDF with the font it is set in (pdftohtml -xml for the runs, pdffonts for full names). */
export function fontedTexts(pdf: string): FontedText[] {
  const names = new Map<string, string>();
  for (const line of execFileSync('pdffonts', [pdf], { encoding: 'utf8' }).split('\n').slice(2)) {
    const name = line.split(/\s+/)[0];
    if (name) names.set(name.split('+')[0], name.replace(/^[A-Z]{6}\+/, ''));
  }
  const xml = execFileSync('pdftohtml', ['-xml', '-i', '-stdout', '-q', pdf], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const specs = new Map<string, { family: string; size: number }>();
  const out: FontedText[] = [];
  for (const p of xml.matchAll(/<page number="(\d+)"[^>]*>([\s\S]*?)<\/page>/g)) {
    for (const f of p[2].matchAll(/<fontspec id="(\d+)" size="([\d.]+)" family="([^"]+)"/g)) {
      specs.set(f[1], { family: f[3], size: Number(f[2]) });
    }
    for (const t of p[2].matchAll(/<text [^>]*font="(\d+)"[^>]*>([\s\S]*?)<\/text>/g)) {
      const spec = specs.get(t[1])!;
      const tag = spec.family.split('+')[0];
      out.push({
        page: Number(p[1]),
        text: unescape(t[2].replace(/<[^>]+>/g, '')),
        font: names.get(tag) ?? spec.family.replace(/^[A-Z]{6}\+/, ''),
        // pdftohtml scales sizes by 1.5 (its default zoom)
        size: spec.size / 1.5,
      });
    }
  }
  return out;
}
