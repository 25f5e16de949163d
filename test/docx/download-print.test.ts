/**
 * GET /api/documents/{id}/docx of a registered document is laid out for print as the filed original is
 * (renderForPrint): a one-page 通知 whose 版记 the one-pass render puts on page 1 (odd) downloads with it on page 2,
 * checked through LibreOffice → pdftotext. Repeated downloads come from the in-memory cache; drafts stay one pass;
 * without LibreOffice the download still answers, with the one-pass render and a warning. Fails, never skips, when
 * LibreOffice or poppler is missing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrintRenderer } from '../../apps/api/src/documents/print-render.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, driveSimple, type Ids } from '../support/flow.js';
import { convertToPdf, pageTexts, requireTools } from './pdf.js';

let t: TestApp;
let ids: Ids;
let dir = '';
beforeAll(async () => {
  requireTools();
  dir = mkdtempSync(join(tmpdir(), 'gongwen-download-print-'));
  t = await startTestApp();
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function download(as: string, id: string, query = ''): Promise<Buffer> {
  const res = await t.request(`/api/documents/${id}/docx${query}`, { as });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** The text of each page of a DOCX as LibreOffice lays it out, whitespace removed. */
async function pages(docx: Buffer, name: string): Promise<string[]> {
  const file = join(dir, `${name}.docx`);
  writeFileSync(file, docx);
  await convertToPdf([file], dir, join(dir, `profile-${name}`));
  return pageTexts(join(dir, `${name}.pdf`))
    .map((p) => p.replace(/\s+/g, ''))
    .filter((p, i, all) => p.length > 0 || i < all.length - 1);
}

const BODY = '各单位要高度重视安全生产工作。';
const IMPRINT = '印发';
const pageOf = (texts: string[], needle: string) => texts.findIndex((p) => p.includes(needle)) + 1;

describe('downloading a registered document for print', () => {
  it('puts the 版记 of a one-page 通知 on an even page, and answers repeated downloads from the cache', async () => {
    const d = await driveSimple(t, ids, 'circulation', '关于版记落在偶数页的通知');
    const print = t.app.get(PrintRenderer);
    const before = print.layouts;
    const docx = await download('clerk', d.id);
    const printed = await pages(docx, 'registered');
    // the text ends on page 1, where a one-pass render prints the 版记 too (the fallback below shows it)
    expect(pageOf(printed, BODY)).toBe(1);
    expect(pageOf(printed, IMPRINT)).toBe(2);
    expect(printed.length % 2).toBe(0);
    expect(printed.at(-1)).toContain(IMPRINT);
    expect(print.layouts).toBe(before + 1);

    // the same copy again, and another user's download of the same (unclassified) copy: from the cache
    expect((await download('clerk', d.id)).equals(docx)).toBe(true);
    expect((await download('chief', d.id)).equals(docx)).toBe(true);
    expect(print.layouts).toBe(before + 1);

    // an earlier revision is a draft: one pass, never laid out by LibreOffice
    await download('clerk', d.id, '?revision=1');
    expect(print.layouts).toBe(before + 1);
  });

  it('without LibreOffice answers with the one-pass render (its 版记 on the odd page) (logged as a warning)', async () => {
    const d = await driveSimple(t, ids, 'circulation', '关于没有排版软件时下载的通知');
    const print = t.app.get(PrintRenderer);
    const fallbacks = print.fallbacks;
    const saved = process.env.GONGWEN_SOFFICE;
    process.env.GONGWEN_SOFFICE = join(dir, 'no-such-soffice');
    let docx: Buffer;
    try {
      docx = await download('clerk', d.id);
    } finally {
      if (saved === undefined) delete process.env.GONGWEN_SOFFICE;
      else process.env.GONGWEN_SOFFICE = saved;
    }
    expect(print.fallbacks).toBe(fallbacks + 1);
    // the one-pass render: text and 版记 on page 1 (what the print layout above moves)
    const onePass = await pages(docx, 'fallback');
    expect([onePass.length, pageOf(onePass, BODY), pageOf(onePass, IMPRINT)]).toEqual([1, 1, 1]);
    // not cached: with LibreOffice back, the next download is laid out for print
    const printed = await pages(await download('clerk', d.id), 'after-fallback');
    expect([pageOf(printed, BODY), pageOf(printed, IMPRINT)]).toEqual([1, 2]);
  });
});
