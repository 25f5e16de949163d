/**
 * OFD writer (GB/T 33190-2016): a laid-out document (libs/page-layout) → an OFD package.
 *
 *   OFD.xml                      entry: DocInfo (title, author = issuer, subject = 文号, dates, CustomDatas)
 *   Doc_0/Document.xml           CommonData (page area, resources, MaxUnitID), Pages, CustomTags
 *   Doc_0/PublicRes.xml          Fonts by their standard names, each with its embedded subset (Res/font_N.*)
 *   Doc_0/DocumentRes.xml        MultiMedias (stamp images added by signOfd)
 *   Doc_0/Pages/Page_N/Content.xml  one layer: TextObjects (TextCode with DeltaX) and PathObjects (rules)
 *   Doc_0/Tags/CustomTags.xml, Tag_gongwen.xml  which objects are the mark, number, title, date …
 *
 * The zip through JSZip, the XML through xmlbuilder2. Units are millimetres throughout, as OFD's are.
 */
import { createHash } from 'node:crypto';
import JSZip from 'jszip';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { FONT_NAMES, type DocumentLayout, type FaceRole, type Line, type LineRole } from '#gongwen/page-layout';
import { fontconfigResolver, subsetFace, type FaceResolver } from './fonts.js';

export const OFD_NS = 'http://www.ofdspec.org/2016';
export const OFD_MIME = 'application/ofd';

export interface OfdMetadata {
  /** A stable identifier of the document (32 hex digits are written; longer input is hashed). */
  docId: string;
  title: string;
  /** The issuing body (bodies, joined with 、). */
  author?: string;
  /** 发文字号 */
  documentNumber?: string;
  kind?: string;
  /** ISO date (成文日期), written as CreationDate. */
  date?: string;
  /** Classification label (密级), e.g. 机密, and period. */
  classification?: string;
  secrecyPeriod?: string;
  urgency?: string;
  copyNumber?: string;
  keywords?: string[];
  /** Further CustomData entries. */
  custom?: Record<string, string>;
}

export interface OfdOptions {
  /** Embed subsets of the faces (default true); faces that cannot be found are named only. */
  embedFonts?: boolean;
  fonts?: FaceResolver;
}

const fmt = (n: number): string => {
  const r = Math.round(n * 1000) / 1000;
  return Object.is(r, -0) ? '0' : String(r);
};
const rgb = (hex: string): string => {
  const v = parseInt(hex, 16);
  return `${(v >> 16) & 255} ${(v >> 8) & 255} ${v & 255}`;
};
const xml = (root: XMLBuilder): string => root.end({ headless: false, prettyPrint: false });
const doc = () => create({ version: '1.0', encoding: 'UTF-8' });

/** Which line roles the custom tags name (GB/T 9704 elements). */
const TAGGED: Partial<Record<LineRole, string>> = {
  mark: 'IssuerMark',
  number: 'DocumentNumber',
  signer: 'Signer',
  title: 'Title',
  recipients: 'MainRecipients',
  signature: 'Issuer',
  date: 'DateOfIssue',
  classification: 'Classification',
  copyNumber: 'CopyNumber',
  urgency: 'Urgency',
  imprint: 'Imprint',
  pageNumber: 'PageNumber',
};

/** Writes a laid-out document as OFD bytes. */
export async function writeOfd(layout: DocumentLayout, meta: OfdMetadata, opts: OfdOptions = {}): Promise<Buffer> {
  const zip = new JSZip();
  let nextId = 1;
  const id = (): number => nextId++;

  // Fonts: one per face role used, with the characters it draws.
  const used = new Map<FaceRole, Set<string>>();
  for (const p of layout.pages)
    for (const l of p.lines)
      for (const r of l.runs) {
        const set = used.get(r.face) ?? new Set<string>();
        for (const ch of r.text) set.add(ch);
        used.set(r.face, set);
      }
  const fontIds = new Map<FaceRole, number>();
  const fontsRoot = doc().ele(OFD_NS, 'ofd:Res', { BaseLoc: 'Res' }).ele(OFD_NS, 'ofd:Fonts');
  const embed = opts.embedFonts ?? true;
  const resolve = opts.fonts ?? fontconfigResolver;
  const files = await Promise.all(
    [...used.keys()].map(async (role) => {
      const face = embed ? resolve(role) : undefined;
      return { role, file: face ? await subsetFace(face, [...(used.get(role) ?? [])].join('')) : undefined };
    }),
  );
  for (const { role, file } of files) {
    const fid = id();
    fontIds.set(role, fid);
    const name = FONT_NAMES[role];
    const font = fontsRoot.ele(OFD_NS, 'ofd:Font', {
      ID: String(fid),
      FontName: name,
      FamilyName: name,
      ...(role === 'latin' || role === 'title' || role === 'song' ? { Serif: 'true' } : {}),
      ...(role === 'title' ? { Bold: 'true' } : {}),
      ...(role === 'fangsong' || role === 'hei' || role === 'kai' ? { FixedWidth: 'true' } : {}),
    });
    if (file) {
      const loc = `font_${fid}.${file.ext}`;
      font.ele(OFD_NS, 'ofd:FontFile').txt(loc);
      zip.file(`Doc_0/Res/${loc}`, file.bytes);
    }
  }
  zip.file('Doc_0/PublicRes.xml', xml(fontsRoot.root()));
  zip.file('Doc_0/DocumentRes.xml', xml(doc().ele(OFD_NS, 'ofd:Res', { BaseLoc: 'Res' }).root()));

  // Pages
  const tags: Record<string, { page: number; ids: number[] }[]> = {};
  const pageIds: number[] = [];
  layout.pages.forEach((page, index) => {
    const pageId = id();
    pageIds.push(pageId);
    const root = doc().ele(OFD_NS, 'ofd:Page');
    const layer = root.ele(OFD_NS, 'ofd:Content').ele(OFD_NS, 'ofd:Layer', { ID: String(id()), Type: 'Body' });
    for (const line of page.lines) {
      const ids = drawLine(layer, line, fontIds, id);
      const tag = TAGGED[line.role];
      if (tag && ids.length) {
        const list = (tags[tag] ??= []);
        list.push({ page: pageId, ids });
      }
    }
    for (const r of page.rules) {
      const horizontal = Math.abs(r.y2 - r.y1) < 1e-6;
      const x = Math.min(r.x1, r.x2);
      const y = Math.min(r.y1, r.y2);
      const w = Math.abs(r.x2 - r.x1);
      const h = Math.abs(r.y2 - r.y1);
      const pad = r.width;
      const path = layer.ele(OFD_NS, 'ofd:PathObject', {
        ID: String(id()),
        Boundary: `${fmt(x - pad)} ${fmt(y - pad)} ${fmt(w + 2 * pad)} ${fmt(h + 2 * pad)}`,
        LineWidth: fmt(r.width),
        Stroke: 'true',
        Fill: 'false',
      });
      path.ele(OFD_NS, 'ofd:StrokeColor', { Value: rgb(r.color) });
      path
        .ele(OFD_NS, 'ofd:AbbreviatedData')
        .txt(
          horizontal
            ? `M ${fmt(pad)} ${fmt(pad)} L ${fmt(pad + w)} ${fmt(pad)}`
            : `M ${fmt(pad)} ${fmt(pad)} L ${fmt(pad + w)} ${fmt(pad + h)}`,
        );
    }
    zip.file(`Doc_0/Pages/Page_${index}/Content.xml`, xml(root.root()));
  });

  // Custom tags: the GB/T 9704 elements and the objects that draw them (gongwen's own vocabulary).
  const tagRoot = doc().ele('urn:gongwen:ofd:tags', 'gw:Document');
  for (const [name, refs] of Object.entries(tags)) {
    const el = tagRoot.ele('urn:gongwen:ofd:tags', `gw:${name}`);
    for (const r of refs) for (const oid of r.ids) el.ele(OFD_NS, 'ofd:ObjectRef', { PageRef: String(r.page) }).txt(String(oid));
  }
  zip.file('Doc_0/Tags/Tag_gongwen.xml', xml(tagRoot.root()));
  const customTags = doc().ele(OFD_NS, 'ofd:CustomTags');
  customTags
    .ele(OFD_NS, 'ofd:CustomTag', { TypeID: 'gongwen-gbt9704', NameSpace: 'urn:gongwen:ofd:tags' })
    .ele(OFD_NS, 'ofd:FileLoc')
    .txt('Tag_gongwen.xml');
  zip.file('Doc_0/Tags/CustomTags.xml', xml(customTags.root()));

  // Document.xml
  const d = doc().ele(OFD_NS, 'ofd:Document');
  const common = d.ele(OFD_NS, 'ofd:CommonData');
  common.ele(OFD_NS, 'ofd:MaxUnitID').txt(String(nextId - 1));
  common
    .ele(OFD_NS, 'ofd:PageArea')
    .ele(OFD_NS, 'ofd:PhysicalBox')
    .txt(`0 0 ${fmt(layout.widthMm)} ${fmt(layout.heightMm)}`);
  common.ele(OFD_NS, 'ofd:PublicRes').txt('PublicRes.xml');
  common.ele(OFD_NS, 'ofd:DocumentRes').txt('DocumentRes.xml');
  const pages = d.ele(OFD_NS, 'ofd:Pages');
  pageIds.forEach((pid, i) => pages.ele(OFD_NS, 'ofd:Page', { ID: String(pid), BaseLoc: `Pages/Page_${i}/Content.xml` }));
  d.ele(OFD_NS, 'ofd:CustomTags').txt('Tags/CustomTags.xml');
  zip.file('Doc_0/Document.xml', xml(d.root()));

  zip.file('OFD.xml', ofdXml(meta));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 } });
}

/** Draws a line: one TextObject per run; returns the objects' ids. */
function drawLine(layer: XMLBuilder, line: Line, fontIds: Map<FaceRole, number>, id: () => number): number[] {
  const ids: number[] = [];
  for (const run of line.runs) {
    const size = run.sizePt * (25.4 / 72);
    const width = run.advances.reduce((a, b) => a + b, 0);
    const top = line.baseline - size * 1.1;
    const oid = id();
    ids.push(oid);
    const obj = layer.ele(OFD_NS, 'ofd:TextObject', {
      ID: String(oid),
      Boundary: `${fmt(run.x)} ${fmt(top)} ${fmt(Math.max(width, size))} ${fmt(size * 1.5)}`,
      Font: String(fontIds.get(run.face)),
      Size: fmt(size),
    });
    if (run.color.toUpperCase() !== '000000') obj.ele(OFD_NS, 'ofd:FillColor', { Value: rgb(run.color) });
    const chars = [...run.text];
    const attrs: Record<string, string> = { X: '0', Y: fmt(line.baseline - top) };
    if (chars.length > 1)
      attrs.DeltaX = run.advances
        .slice(0, chars.length - 1)
        .map(fmt)
        .join(' ');
    obj.ele(OFD_NS, 'ofd:TextCode', attrs).txt(run.text);
  }
  return ids;
}

function ofdXml(meta: OfdMetadata): string {
  const root = doc().ele(OFD_NS, 'ofd:OFD', { Version: '1.1', DocType: 'OFD' });
  const body = root.ele(OFD_NS, 'ofd:DocBody');
  const info = body.ele(OFD_NS, 'ofd:DocInfo');
  const docId = /^[0-9a-f]{32}$/i.test(meta.docId) ? meta.docId : createHash('sha256').update(meta.docId).digest('hex').slice(0, 32);
  info.ele(OFD_NS, 'ofd:DocID').txt(docId);
  info.ele(OFD_NS, 'ofd:Title').txt(meta.title);
  if (meta.author) info.ele(OFD_NS, 'ofd:Author').txt(meta.author);
  const subject = [meta.documentNumber, meta.kind].filter(Boolean).join(' ');
  if (subject) info.ele(OFD_NS, 'ofd:Subject').txt(subject);
  if (meta.date) info.ele(OFD_NS, 'ofd:CreationDate').txt(meta.date.slice(0, 10));
  info.ele(OFD_NS, 'ofd:Creator').txt('gongwen');
  info.ele(OFD_NS, 'ofd:CreatorVersion').txt('0.1.0');
  if (meta.keywords?.length) {
    const kw = info.ele(OFD_NS, 'ofd:Keywords');
    for (const k of meta.keywords) kw.ele(OFD_NS, 'ofd:Keyword').txt(k);
  }
  const custom: [string, string | undefined][] = [
    ['发文字号', meta.documentNumber],
    ['发文机关', meta.author],
    ['文种', meta.kind],
    ['成文日期', meta.date?.slice(0, 10)],
    ['密级', meta.classification],
    ['保密期限', meta.secrecyPeriod],
    ['紧急程度', meta.urgency],
    ['份号', meta.copyNumber],
    ...Object.entries(meta.custom ?? {}),
  ];
  const datas = custom.filter((c): c is [string, string] => !!c[1]);
  if (datas.length) {
    const cd = info.ele(OFD_NS, 'ofd:CustomDatas');
    for (const [name, value] of datas) cd.ele(OFD_NS, 'ofd:CustomData', { Name: name }).txt(value);
  }
  body.ele(OFD_NS, 'ofd:DocRoot').txt('Doc_0/Document.xml');
  return xml(root);
}
