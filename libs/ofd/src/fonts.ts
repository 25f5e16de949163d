/**
 * The faces an OFD embeds: found through gongwen's font set (libs/docx/fonts/fonts.conf, the file every LibreOffice
 * run uses, so the OFD carries the glyphs the PDF shows) and cut down to the characters the document uses with
 * `subset-font` (HarfBuzz's subsetter). Faces inside a font collection (.ttc, e.g. Noto CJK) are first lifted out of
 * it as a standalone font: the subsetter reads only the collection's first face, which is the Japanese one.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import subsetFont from 'subset-font';
import { fontconfigFile } from '#gongwen/docx/office-fonts';
import { FONT_NAMES, type FaceRole } from '#gongwen/page-layout';

export interface FaceFile {
  path: string;
  index: number;
}

/** Resolves a role to its font file; undefined when the face is not installed (the OFD then names it only). */
export type FaceResolver = (role: FaceRole) => FaceFile | undefined;

const resolved = new Map<FaceRole, FaceFile | undefined>();

/** fc-match through gongwen's fontconfig file, once per role and process. */
export const fontconfigResolver: FaceResolver = (role) => {
  if (resolved.has(role)) return resolved.get(role);
  let found: FaceFile | undefined;
  try {
    const out = execFileSync('fc-match', ['-f', '%{file}\n%{index}', `${FONT_NAMES[role]}:lang=zh-cn`], {
      encoding: 'utf8',
      env: { ...process.env, FONTCONFIG_FILE: fontconfigFile() },
      timeout: 10_000,
    });
    const [path, index] = out.split('\n');
    // fontconfig answers with a default face when nothing matches; embed only the faces the font set names
    if (path && !/DejaVu/i.test(path)) found = { path, index: Number(index) || 0 };
  } catch {
    found = undefined;
  }
  resolved.set(role, found);
  return found;
};

const faceBuffers = new Map<string, Buffer>();

/** The bytes of one face of a font file; a face of a collection (ttcf) is rebuilt as a standalone sfnt. */
export function faceBytes(face: FaceFile): Buffer {
  const key = `${face.path}#${face.index}`;
  const hit = faceBuffers.get(key);
  if (hit) return hit;
  const file = readFileSync(face.path);
  const bytes = file.toString('latin1', 0, 4) === 'ttcf' ? extractFace(file, face.index) : file;
  faceBuffers.set(key, bytes);
  return bytes;
}

/**
 * Lifts face `index` out of a TrueType/OpenType collection: its table directory with every table copied after it
 * (offsets rewritten, 4-byte aligned). No npm package writes this (fontkit reads collections but writes no fonts).
 */
export function extractFace(ttc: Buffer, index: number): Buffer {
  const count = ttc.readUInt32BE(8);
  if (index >= count) throw new RangeError(`font collection has ${count} faces, not ${index + 1}`);
  const dir = ttc.readUInt32BE(12 + 4 * index);
  const numTables = ttc.readUInt16BE(dir + 4);
  const headerLen = 12 + 16 * numTables;
  const tables = Array.from({ length: numTables }, (_, i) => {
    const at = dir + 12 + 16 * i;
    return {
      tag: ttc.subarray(at, at + 4),
      checksum: ttc.readUInt32BE(at + 4),
      offset: ttc.readUInt32BE(at + 8),
      length: ttc.readUInt32BE(at + 12),
    };
  });
  const pad = (n: number): number => (n + 3) & ~3;
  const total = headerLen + tables.reduce((s, t) => s + pad(t.length), 0);
  const out = Buffer.alloc(total);
  ttc.copy(out, 0, dir, dir + 12);
  let offset = headerLen;
  tables.forEach((t, i) => {
    const at = 12 + 16 * i;
    t.tag.copy(out, at);
    out.writeUInt32BE(t.checksum, at + 4);
    out.writeUInt32BE(offset, at + 8);
    out.writeUInt32BE(t.length, at + 12);
    ttc.copy(out, offset, t.offset, t.offset + t.length);
    offset += pad(t.length);
  });
  return out;
}

/**
 * ASCII, the symbols of GB 2312 and its level-1 hanzi (the 3755 common characters): the set a face is first cut down
 * to, once per process, so that a document's subset is taken from a font of about 2 MB rather than from a 20 MB CJK
 * collection face (HarfBuzz copies the whole source for every subset). Text outside it is cut from the whole face.
 * (All of GB 2312 is too much for the wasm build of HarfBuzz with the CFF faces of Noto CJK: hb_subset fails.)
 */
const COMMON_CHARS: string = (() => {
  const gbk = new TextDecoder('gbk');
  let out = '';
  for (let c = 0x20; c < 0x7f; c++) out += String.fromCharCode(c);
  for (let hi = 0xa1; hi <= 0xf7; hi++) {
    if (hi >= 0xaa && hi <= 0xaf) continue;
    if (hi > 0xd7) break;
    for (let lo = 0xa1; lo <= 0xfe; lo++) out += gbk.decode(new Uint8Array([hi, lo]));
  }
  return [...new Set(out.replace(/\uFFFD/g, ''))].join('');
})();
const COMMON_SET = new Set(COMMON_CHARS);
/** Per face: its common subset, or undefined where HarfBuzz's wasm build cannot make one (large CFF faces). */
const commonSubsets = new Map<string, Promise<Buffer | undefined>>();

/** A subset of the face holding the glyphs of `text`, as an sfnt (TrueType or CFF OpenType). */
export async function subsetFace(face: FaceFile, text: string): Promise<{ bytes: Buffer; ext: 'ttf' | 'otf' }> {
  const key = `${face.path}#${face.index}`;
  let source: Buffer | undefined;
  if ([...text].every((ch) => COMMON_SET.has(ch))) {
    let common = commonSubsets.get(key);
    if (!common) {
      common = subsetFont(faceBytes(face), COMMON_CHARS, { targetFormat: 'sfnt' }).catch(() => undefined);
      commonSubsets.set(key, common);
    }
    source = await common;
  }
  source ??= faceBytes(face);
  const bytes = await subsetFont(source, text, { targetFormat: 'sfnt' });
  return { bytes, ext: bytes.toString('latin1', 0, 4) === 'OTTO' ? 'otf' : 'ttf' };
}
