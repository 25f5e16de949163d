/**
 * Opening content files in their formats (可用性): a DOCX is unzipped with JSZip and its main part parsed as XML, a
 * PDF is parsed with pdf-lib down to its page tree, an OFD is unzipped and its entry file OFD.xml parsed (the full
 * OFD reader of libs/ofd replaces this when it lands), JSON and XML are parsed. Encryption is detected the same way:
 * Office's encrypted documents are OLE compound files (not zips), a PDF has an /Encrypt dictionary, a zip entry
 * has its encryption flag set.
 */
import { inflateRawSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import JSZip from 'jszip';
import { PDFDocument } from 'pdf-lib';
import { xmlProblem } from './xml.js';

export const DOCX_MEDIA = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const OFD_MEDIA = 'application/ofd';

/**
 * Formats an archive accepts (可用性: 格式在允许范围内). DA/T 70 names OFD, PDF(/A) and XML for text records;
 * DOCX is kept because gongwen's items are DOCX (the stamped item is GB/T 9704 DOCX), JSON for structured
 * attachments and audit records, CSV for the catalogue, and the common raster formats for scans.
 */
export const ALLOWED_FORMATS: Record<string, string> = {
  ofd: OFD_MEDIA,
  pdf: 'application/pdf',
  docx: DOCX_MEDIA,
  xml: 'application/xml',
  json: 'application/json',
  csv: 'text/csv',
  txt: 'text/plain',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  tif: 'image/tiff',
  tiff: 'image/tiff',
};

export const extensionOf = (name: string): string => /\.([^./]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';

export interface Opened {
  ok: boolean;
  /** What was found: "DOCX, word/document.xml 1234 字节" or why it did not open. */
  detail: string;
  encrypted: boolean;
  /** OFD signatures (Doc_N/Signs) found: the seal check verifies them. */
  seals?: number;
}

const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/** Whether a zip's entries carry the encryption flag, read from its central directory. */
function zipHasEncryptedEntries(data: Buffer): boolean {
  // end of central directory record: signature 0x06054b50, within the last 64 kB + 22 bytes
  for (let i = data.length - 22; i >= Math.max(0, data.length - 65557); i--) {
    if (data.readUInt32LE(i) !== 0x06054b50) continue;
    const count = data.readUInt16LE(i + 10);
    let p = data.readUInt32LE(i + 16);
    for (let n = 0; n < count && p + 46 <= data.length && data.readUInt32LE(p) === 0x02014b50; n++) {
      if (data.readUInt16LE(p + 8) & 1) return true;
      p += 46 + data.readUInt16LE(p + 28) + data.readUInt16LE(p + 30) + data.readUInt16LE(p + 32);
    }
    return false;
  }
  return false;
}

async function openZip(data: Buffer): Promise<{ zip: JSZip } | { error: string; encrypted: boolean }> {
  if (data.subarray(0, 8).equals(OLE_MAGIC)) return { error: 'OLE 复合文档（加密的 Office 文件）', encrypted: true };
  if (zipHasEncryptedEntries(data)) return { error: 'ZIP 条目已加密', encrypted: true };
  try {
    return { zip: await JSZip.loadAsync(data) };
  } catch (e) {
    return { error: `不是有效的 ZIP：${(e as Error).message}`, encrypted: false };
  }
}

/** The root element (after the XML declaration, comments and processing instructions) and the body of a DOCX part. */
const DOCX_ROOT = /^\uFEFF?\s*(?:(?:<\?[^]*?\?>|<!--[^]*?-->)\s*)*<w:document[\s>]/;
const DOCX_BODY = /<w:body[\s>/]/;

/**
 * The entries of a zip held in memory, from its central directory: name → where its data starts, its compressed
 * size and method. Null when the directory cannot be read this simply (then JSZip reads it, or says why not).
 */
function centralDirectory(data: Buffer): Map<string, { method: number; size: number; offset: number }> | null {
  for (let i = data.length - 22; i >= Math.max(0, data.length - 65557); i--) {
    if (data.readUInt32LE(i) !== 0x06054b50) continue;
    const count = data.readUInt16LE(i + 10);
    let p = data.readUInt32LE(i + 16);
    const out = new Map<string, { method: number; size: number; offset: number }>();
    for (let n = 0; n < count; n++) {
      if (p + 46 > data.length || data.readUInt32LE(p) !== 0x02014b50) return null;
      const method = data.readUInt16LE(p + 10);
      const size = data.readUInt32LE(p + 20);
      const nameLen = data.readUInt16LE(p + 28);
      const local = data.readUInt32LE(p + 42);
      if (size === 0xffffffff || local === 0xffffffff || local + 30 > data.length || data.readUInt32LE(local) !== 0x04034b50) return null;
      const offset = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
      out.set(data.toString('utf8', p + 46, p + 46 + nameLen), { method, size, offset });
      p += 46 + nameLen + data.readUInt16LE(p + 30) + data.readUInt16LE(p + 32);
    }
    return out;
  }
  return null;
}

/** One entry's bytes, inflated by Node's zlib (stored and deflated entries; anything else: null). */
function entryBytes(data: Buffer, e: { method: number; size: number; offset: number }): Buffer | null {
  if (e.offset + e.size > data.length) return null;
  const raw = data.subarray(e.offset, e.offset + e.size);
  if (e.method === 0) return raw;
  return e.method === 8 ? inflateRawSync(raw) : null;
}

export async function openDocx(data: Buffer): Promise<Opened> {
  if (data.subarray(0, 8).equals(OLE_MAGIC)) return { ok: false, detail: 'OLE 复合文档（加密的 Office 文件）', encrypted: true };
  if (zipHasEncryptedEntries(data)) return { ok: false, detail: 'ZIP 条目已加密', encrypted: true };
  // the central directory read here and the main part inflated by zlib: a JSZip load inflated in JavaScript and
  // built an object per entry, a fifth of checking a package of DOCX items
  let xml: string | null = null;
  try {
    const dir = centralDirectory(data);
    const main = dir?.get('word/document.xml');
    if (dir && (!dir.has('[Content_Types].xml') || !main))
      return { ok: false, detail: '缺少 [Content_Types].xml 或 word/document.xml', encrypted: false };
    const bytes = main ? entryBytes(data, main) : null;
    xml = bytes ? bytes.toString('utf8') : null;
  } catch {
    xml = null; // a damaged entry: JSZip below says what is wrong
  }
  if (xml === null) {
    const z = await openZip(data);
    if ('error' in z) return { ok: false, detail: z.error, encrypted: z.encrypted };
    const types = z.zip.file('[Content_Types].xml');
    const main = z.zip.file('word/document.xml');
    if (!types || !main) return { ok: false, detail: '缺少 [Content_Types].xml 或 word/document.xml', encrypted: false };
    try {
      xml = await main.async('string');
    } catch (e) {
      return { ok: false, detail: `word/document.xml 无法解压：${(e as Error).message}`, encrypted: false };
    }
  }
  const problem = xmlProblem(xml);
  if (problem) return { ok: false, detail: `word/document.xml 不是良构 XML：${problem}`, encrypted: false };
  // well-formed (validated above), so its root and the body are found from the text without building a tree
  // (a second, full parse cost more than half of checking a large package)
  if (!DOCX_ROOT.test(xml) || !DOCX_BODY.test(xml))
    return { ok: false, detail: 'word/document.xml 没有 w:document/w:body', encrypted: false };
  return { ok: true, detail: `DOCX，word/document.xml ${Buffer.byteLength(xml)} 字节`, encrypted: false };
}

export async function openPdf(data: Buffer): Promise<Opened> {
  if (data.subarray(0, 5).toString('latin1') !== '%PDF-') return { ok: false, detail: '文件头不是 %PDF-', encrypted: false };
  try {
    const doc = await PDFDocument.load(data, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: true });
    if (doc.isEncrypted) return { ok: false, detail: 'PDF 含 /Encrypt 加密字典', encrypted: true };
    const pages = doc.getPageCount();
    if (pages < 1) return { ok: false, detail: 'PDF 没有页面', encrypted: false };
    return { ok: true, detail: `PDF，${pages} 页`, encrypted: false };
  } catch (e) {
    return { ok: false, detail: `PDF 无法解析：${(e as Error).message}`, encrypted: false };
  }
}

/**
 * OFD (GB/T 33190): the package is a zip whose OFD.xml names the documents (DocBody/DocRoot); each DocRoot must
 * exist and parse. Signatures (DocBody/Signatures) are counted for the seal check.
 */
export async function openOfd(data: Buffer): Promise<Opened> {
  const z = await openZip(data);
  if ('error' in z) return { ok: false, detail: z.error, encrypted: z.encrypted };
  const entry = z.zip.file('OFD.xml');
  if (!entry) return { ok: false, detail: '缺少 OFD.xml', encrypted: false };
  const xml = await entry.async('string');
  const problem = xmlProblem(xml);
  if (problem) return { ok: false, detail: `OFD.xml 不是良构 XML：${problem}`, encrypted: false };
  const parsed = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true }).parse(xml);
  const bodies = [parsed?.OFD?.DocBody].flat().filter(Boolean) as Record<string, unknown>[];
  if (!bodies.length) return { ok: false, detail: 'OFD.xml 没有 DocBody', encrypted: false };
  let seals = 0;
  for (const body of bodies) {
    const root = String(body.DocRoot ?? '').replace(/^\//, '');
    const doc = root && z.zip.file(root);
    if (!doc) return { ok: false, detail: `DocRoot ${root || '（空）'} 不存在`, encrypted: false };
    const p = xmlProblem(await doc.async('string'));
    if (p) return { ok: false, detail: `${root} 不是良构 XML：${p}`, encrypted: false };
    const signs = String(body.Signatures ?? '').replace(/^\//, '');
    if (signs && z.zip.file(signs)) {
      const s = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true }).parse(await z.zip.file(signs)!.async('string'));
      seals += [s?.Signatures?.Signature].flat().filter((x) => x !== undefined).length;
    }
  }
  return { ok: true, detail: `OFD，${bodies.length} 个文档，${seals} 个签章`, encrypted: false, seals };
}

const opened = new WeakMap<Buffer, Promise<Opened | null>>();

/**
 * openByFormat once per buffer: the opening, encryption and seal checks all look at the same files of an item, so
 * each is parsed once (the cache goes with the buffers when the item is released).
 */
export function openCached(name: string, data: Buffer): Promise<Opened | null> {
  let p = opened.get(data);
  if (!p) opened.set(data, (p = openByFormat(name, data)));
  return p;
}

/** Opens a file by its extension; null when the format has no opener (then the format check already failed). */
export async function openByFormat(name: string, data: Buffer): Promise<Opened | null> {
  switch (extensionOf(name)) {
    case 'docx':
      return openDocx(data);
    case 'pdf':
      return openPdf(data);
    case 'ofd':
      return openOfd(data);
    case 'json':
      try {
        JSON.parse(data.toString('utf8'));
        return { ok: true, detail: `JSON，${data.length} 字节`, encrypted: false };
      } catch (e) {
        return { ok: false, detail: `JSON 无法解析：${(e as Error).message}`, encrypted: false };
      }
    case 'xml': {
      const p = xmlProblem(data.toString('utf8'));
      return p ? { ok: false, detail: `XML 不是良构：${p}`, encrypted: false } : { ok: true, detail: 'XML，良构', encrypted: false };
    }
    case 'csv':
    case 'txt': {
      const text = data.toString('utf8');
      return text.includes('\uFFFD')
        ? { ok: false, detail: '不是有效的 UTF-8 文本', encrypted: false }
        : { ok: true, detail: `UTF-8 文本，${text.length} 字`, encrypted: false };
    }
    case 'png':
      return magic(data, [0x89, 0x50, 0x4e, 0x47], 'PNG');
    case 'jpg':
    case 'jpeg':
      return magic(data, [0xff, 0xd8, 0xff], 'JPEG');
    case 'tif':
    case 'tiff':
      return data.subarray(0, 4).equals(Buffer.from('II*\0', 'latin1')) || data.subarray(0, 4).equals(Buffer.from('MM\0*', 'latin1'))
        ? { ok: true, detail: 'TIFF', encrypted: false }
        : { ok: false, detail: '文件头不是 TIFF', encrypted: false };
    default:
      return null;
  }
}

function magic(data: Buffer, bytes: number[], label: string): Opened {
  return data.subarray(0, bytes.length).equals(Buffer.from(bytes))
    ? { ok: true, detail: label, encrypted: false }
    : { ok: false, detail: `文件头不是 ${label}`, encrypted: false };
}
