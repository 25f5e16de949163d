/**
 * The faces an OFD embeds: found through gongwen's font set (libs/docx/fonts/fonts.conf, the file every LibreOffice
 * run uses, so the OFD carries the glyphs the PDF shows) and cut down to the characters the document uses with
 * HarfBuzz's subsetter (./harfbuzz.ts). Faces inside a font collection (.ttc, e.g. Noto CJK) are first lifted out of
 * it as a standalone font: the subsetter reads only the collection's first face, which is the Japanese one.
 *
 * Speed (issue [ofd-seal]: a 3-page 通知 as OFD ≤ 30 ms): once per face and process, the face is cut down to the
 * common characters of GB 2312 (its CFF charstrings flattened) and that cut stays loaded and preprocessed in HarfBuzz, so a
 * document's subset is taken in about a millisecond instead of from the whole 20 MB face; finished subsets are kept
 * in an LRU by (face, characters), so the same document again embeds without subsetting at all. Other text
 * is cut from the whole face in a throwaway HarfBuzz instance (tens of milliseconds, then cached like the others).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { fontconfigFile } from '#gongwen/docx/office-fonts';
import { FONT_NAMES, type FaceRole } from '#gongwen/page-layout';
import { HbSubsetter } from './harfbuzz.js';

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

/**
 * The bytes of one face of a font file; a face of a collection (ttcf) is rebuilt as a standalone sfnt. Not kept:
 * only the first cut of a face and text outside GB 2312 need the whole face.
 */
export function faceBytes(face: FaceFile): Buffer {
  const file = readFileSync(face.path);
  return file.toString('latin1', 0, 4) === 'ttcf' ? extractFace(file, face.index) : file;
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
 * ASCII, the symbols of GB 2312 and its level-1 hanzi (the 3755 common characters): what a face is first cut down to,
 * once per process. The cut's time and the preprocessing's grow with its glyphs: level 2 as well doubled the first
 * OFD of a process, for characters that then take the whole-face path (tens of ms, then cached) instead.
 */
const COMMON_CODE_POINTS: readonly number[] = (() => {
  const gb = new TextDecoder('gbk');
  const out = new Set<number>();
  for (let c = 0x20; c < 0x7f; c++) out.add(c);
  for (let hi = 0xa1; hi <= 0xd7; hi++) {
    if (hi >= 0xaa && hi <= 0xaf) continue;
    for (let lo = 0xa1; lo <= 0xfe; lo++) {
      const ch = gb.decode(new Uint8Array([hi, lo]));
      if (ch !== '\uFFFD') out.add(ch.codePointAt(0)!);
    }
  }
  return [...out].sort((a, b) => a - b);
})();
const COMMON_SET: ReadonlySet<number> = new Set(COMMON_CODE_POINTS);

/** A face's GB 2312 cut, loaded and preprocessed in an instance of its own; null where it could not be made. */
interface CommonCut {
  hb: HbSubsetter;
  face: number;
}
const commonCuts = new Map<string, CommonCut | null>();

function commonCut(key: string, face: FaceFile): CommonCut | null {
  let cut = commonCuts.get(key);
  if (cut !== undefined) return cut;
  try {
    const scratch = new HbSubsetter();
    const bytes = scratch.subset(scratch.load(faceBytes(face)), COMMON_CODE_POINTS, { desubroutinize: true });
    const hb = new HbSubsetter();
    cut = { hb, face: hb.preprocess(hb.load(bytes)) };
  } catch {
    // every subset of this face is then cut from the whole face
    cut = null;
  }
  commonCuts.set(key, cut);
  return cut;
}

export interface FaceSubset {
  bytes: Buffer;
  ext: 'ttf' | 'otf';
}

/** Finished subsets by face and characters, up to 32 MB (a 3-page 通知's six subsets take about 200 KB). */
const subsets = new LRUCache<string, FaceSubset>({ maxSize: 32 * 1024 * 1024, sizeCalculation: (s) => s.bytes.byteLength || 1 });

/** Forgets the finished subsets (the benchmark measures a document seen for the first time with it). */
export function clearSubsetCache(): void {
  subsets.clear();
}

/** A subset of the face holding the glyphs of `text`, as an sfnt (TrueType or CFF OpenType). */
export async function subsetFace(face: FaceFile, text: string): Promise<FaceSubset> {
  const faceKey = `${face.path}#${face.index}`;
  const codePoints = [...new Set(Array.from(text, (ch) => ch.codePointAt(0)!))].sort((a, b) => a - b);
  const key = `${faceKey}\u0000${String.fromCodePoint(...codePoints)}`;
  const hit = subsets.get(key);
  if (hit) return hit;
  const cut = codePoints.every((cp) => COMMON_SET.has(cp)) ? commonCut(faceKey, face) : null;
  let bytes: Buffer;
  if (cut) bytes = cut.hb.subset(cut.face, codePoints);
  else {
    const scratch = new HbSubsetter();
    bytes = scratch.subset(scratch.load(faceBytes(face)), codePoints, { desubroutinize: true });
  }
  const result: FaceSubset = { bytes, ext: bytes.toString('latin1', 0, 4) === 'OTTO' ? 'otf' : 'ttf' };
  subsets.set(key, result);
  return result;
}

/**
 * Makes the GB 2312 cut of every face the OFD writer embeds (each role's face, once per file and index) ahead of the
 * first OFD, which otherwise pays them all (about 1.8 s of CPU for the four CJK faces). For a server to call once it
 * is ready (apps/api main.ts, after listen): one face per macrotask, so a request arriving meanwhile waits at most one
 * face's cut (0.1–0.5 s), not all of them. Returns how many cuts it made (0 when every face was cut already).
 */
export async function warmFaces(opts: { resolve?: FaceResolver; signal?: AbortSignal } = {}): Promise<number> {
  const resolve = opts.resolve ?? fontconfigResolver;
  let made = 0;
  for (const role of Object.keys(FONT_NAMES) as FaceRole[]) {
    await new Promise((r) => setImmediate(r));
    if (opts.signal?.aborted) break;
    const face = resolve(role);
    if (!face) continue;
    const key = `${face.path}#${face.index}`;
    if (commonCuts.has(key)) continue;
    commonCut(key, face);
    made++;
  }
  return made;
}
