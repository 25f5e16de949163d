/**
 * LibreOffice and poppler, for what only a real layout engine knows: how many pages a DOCX has.
 * `soffice --headless --convert-to pdf` then `pdfinfo`. Every conversion gets its own user profile directory, so
 * conversions never share (or lock) a profile; an AbortSignal kills the child (used when the application stops).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { officeEnv, prepareForLibreOffice } from '#gongwen/docx/office-fonts';
import type { DocumentContent, RenderContext } from '#gongwen/document/model';
import { renderDocx, type ImprintPlacement } from './render.js';

export class OfficeError extends Error {}

export interface RunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Runs a program to completion; rejects with its stderr on a non-zero exit, a timeout or an abort. */
export function run(
  cmd: string,
  args: string[],
  opts: RunOptions & { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new OfficeError(`${cmd}: aborted`));
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    let err = '';
    let settled = false;
    const kill = (why: string) => {
      if (settled) return;
      settled = true;
      // the whole process group: soffice starts a child (soffice.bin)
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      reject(new OfficeError(`${cmd}: ${why}`));
    };
    const timer = setTimeout(() => kill(`timed out after ${opts.timeoutMs ?? 120000} ms`), opts.timeoutMs ?? 120000);
    const onAbort = () => kill('aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 20000) err += d.toString();
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (!settled) {
        settled = true;
        reject(new OfficeError(`${cmd}: ${e.message}`));
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      if (code === 0) resolve({ stdout: Buffer.concat(out), stderr: err });
      else reject(new OfficeError(`${cmd} exited with ${code}: ${err.trim().slice(0, 2000)}`));
    });
  });
}

/** The LibreOffice program (GONGWEN_SOFFICE, read at each conversion; default `soffice` on the PATH). */
const soffice = () => process.env.GONGWEN_SOFFICE || 'soffice';

/** Converts a DOCX to PDF with LibreOffice; returns the PDF bytes. */
export async function docxToPdf(docx: Buffer, opts: RunOptions = {}): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'gongwen-lo-'));
  try {
    const input = join(dir, 'in.docx');
    await writeFile(input, await prepareForLibreOffice(docx));
    await run(
      soffice(),
      [
        '--headless',
        '--norestore',
        '--nolockcheck',
        '--nodefault',
        '--nologo',
        `-env:UserInstallation=${pathToFileURL(join(dir, 'profile')).href}`,
        '--convert-to',
        'pdf',
        '--outdir',
        dir,
        input,
      ],
      { ...opts, timeoutMs: opts.timeoutMs ?? 180000, cwd: dir, env: officeEnv({ ...process.env, HOME: dir }) },
    );
    try {
      return await readFile(join(dir, 'in.pdf'));
    } catch {
      throw new OfficeError('LibreOffice produced no PDF (is the DOCX well-formed?)');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function withPdf<T>(pdf: Buffer, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'gongwen-pdf-'));
  try {
    const path = join(dir, 'doc.pdf');
    await writeFile(path, pdf);
    return await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The page count of a PDF (pdfinfo). */
export async function pdfPageCount(pdf: Buffer, opts: RunOptions = {}): Promise<number> {
  return withPdf(pdf, async (path) => {
    const { stdout } = await run('pdfinfo', [path], { ...opts, timeoutMs: opts.timeoutMs ?? 30000 });
    const m = /^Pages:\s+(\d+)/m.exec(stdout.toString('utf8'));
    if (!m) throw new OfficeError('pdfinfo did not report a page count');
    return Number(m[1]);
  });
}

/** The text of a PDF (pdftotext, layout kept), optionally of the first page only. */
export async function pdfText(pdf: Buffer, opts: RunOptions & { firstPageOnly?: boolean; layout?: boolean } = {}): Promise<string> {
  return withPdf(pdf, async (path) => {
    const args = [
      ...(opts.layout === false ? [] : ['-layout']),
      '-enc',
      'UTF-8',
      ...(opts.firstPageOnly ? ['-f', '1', '-l', '1'] : []),
      path,
      '-',
    ];
    const { stdout } = await run('pdftotext', args, { ...opts, timeoutMs: opts.timeoutMs ?? 30000 });
    return stdout.toString('utf8');
  });
}

/**
 * Conversions run one at a time per process: LibreOffice is CPU- and memory-hungry, and a queue keeps a burst of
 * filings from starting a dozen office suites at once.
 */
let chain: Promise<unknown> = Promise.resolve();
export function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const next = chain.then(fn, fn);
  chain = next.catch(() => undefined);
  return next;
}

/** Page count of a DOCX as LibreOffice lays it out. */
export async function docxPageCount(docx: Buffer, opts: RunOptions = {}): Promise<number> {
  const pdf = await serialised(() => docxToPdf(docx, opts));
  return pdfPageCount(pdf, opts);
}

/** The text of one page of a PDF (pdftotext, reading order). */
export async function pdfPageText(pdf: Buffer, page: number, opts: RunOptions = {}): Promise<string> {
  return withPdf(pdf, async (path) => {
    const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', '-f', String(page), '-l', String(page), path, '-'], {
      ...opts,
      timeoutMs: opts.timeoutMs ?? 30000,
    });
    return stdout.toString('utf8');
  });
}

/** The imprint's (版记's) own text: what may stand on its page besides the page number when no body text does. */
export function imprintTexts(content: DocumentContent, ctx: RenderContext): string[] {
  const out: string[] = [];
  const copies = content.copiesTo.map((c) => c.trim()).filter(Boolean);
  if (copies.length) out.push('抄送：' + copies.join('，').replace(/[。，,.]$/, '') + '。');
  if (content.kind !== '函') out.push(ctx.printedBy?.trim() || content.issuers[0]?.name || '', '印发');
  return out;
}

/**
 * Where the imprint must go, from a first render laid out on `pages` pages whose last page reads `lastPageText`: in
 * place when that page is even (or there is no imprint), else on the next even page, after a blank page when the
 * last page holds nothing but the imprint (the text ended on the even page before it).
 */
export function imprintPlacement(content: DocumentContent, ctx: RenderContext, pages: number, lastPageText: string): ImprintPlacement {
  // A 函 (letter format) has no 版记 proper: its 抄送 line stays under the text on the last page.
  if (content.kind === '函' || pages % 2 === 0) return 'inline';
  let rest = lastPageText.replace(/\s+/g, '');
  for (const t of imprintTexts(content, ctx)) rest = rest.split(t.replace(/\s+/g, '')).join('');
  rest = rest.replace(/\d{4}年\d{1,2}月\d{1,2}日/g, '').replace(/—\d+—/g, '');
  return rest.length > 0 ? 'nextEvenPage' : 'afterBlankPage';
}

/**
 * Renders a document for print with its imprint (版记) on an even page (GB/T 9704: the last page, 封四): a first
 * render is laid out by LibreOffice; when its last page is odd, the document is rendered again with the imprint in a
 * section that starts on an even page (right after the text, or after a blank unnumbered page when the text already
 * ends on an even page with no room left for the imprint). Returns the DOCX and LibreOffice's page count of it.
 */
export async function renderForPrint(
  content: DocumentContent,
  ctx: RenderContext,
  opts: RunOptions = {},
): Promise<{ docx: Buffer; pdf: Buffer; pages: number; imprint: ImprintPlacement }> {
  const first = await renderDocx(content, ctx);
  const pdf = await serialised(() => docxToPdf(first, opts));
  const pages = await pdfPageCount(pdf, opts);
  const imprint = imprintPlacement(content, ctx, pages, pages % 2 ? await pdfPageText(pdf, pages, opts) : '');
  if (imprint === 'inline') return { docx: first, pdf, pages, imprint };
  const docx = await renderDocx(content, ctx, { imprint });
  const pdf2 = await serialised(() => docxToPdf(docx, opts));
  return { docx, pdf: pdf2, pages: await pdfPageCount(pdf2, opts), imprint };
}
