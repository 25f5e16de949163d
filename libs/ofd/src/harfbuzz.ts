/**
 * HarfBuzz's subsetter (hb-subset), the wasm build `harfbuzzjs` ships, called directly rather than through
 * `subset-font`: that wrapper copies the whole source font into wasm memory, parses it and runs the layout closure
 * (every GSUB feature, so each CJK subset also pulled in the locl/vert alternates) on every call. Here a face is
 * loaded once, preprocessed once (hb_subset_preprocess: the accelerators later subsets reuse), and each subset only
 * walks the glyphs asked for.
 *
 * An instance's memory is fixed at 64 MB (the build does not grow it), so each long-lived face gets an instance of its
 * own, and whole-font work (a 25 MB Noto CJK face) runs in a throwaway instance that the garbage collector reclaims.
 * The module is compiled once per process.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface HbExports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(size: number): number;
  free(ptr: number): void;
  hb_blob_create(data: number, length: number, mode: number, userData: number, destroy: number): number;
  hb_blob_destroy(blob: number): void;
  hb_blob_get_length(blob: number): number;
  hb_blob_get_data(blob: number, length: number): number;
  hb_face_create(blob: number, index: number): number;
  hb_face_destroy(face: number): void;
  hb_face_reference_blob(face: number): number;
  hb_set_add(set: number, value: number): void;
  hb_subset_input_create_or_fail(): number;
  hb_subset_input_destroy(input: number): void;
  hb_subset_input_unicode_set(input: number): number;
  hb_subset_input_set(input: number, which: number): number;
  hb_subset_input_set_flags(input: number, flags: number): void;
  hb_subset_preprocess(face: number): number;
  hb_subset_or_fail(face: number, input: number): number;
}

const HB_MEMORY_MODE_WRITABLE = 2;
const HB_SUBSET_SETS_DROP_TABLE_TAG = 3;
const HB_SUBSET_FLAGS_NO_HINTING = 0x1;
const HB_SUBSET_FLAGS_DESUBROUTINIZE = 0x4;
const HB_SUBSET_FLAGS_NO_LAYOUT_CLOSURE = 0x200;

/**
 * Tables an OFD reader never uses: OFD draws each character by the font's cmap at the positions the page gives
 * (TextCode DeltaX), horizontally, so layout (GSUB/GPOS/GDEF/BASE/JSTF), vertical metrics, kerning and hinting tables
 * only cost time and bytes.
 */
const DROPPED_TABLES = [
  'GSUB',
  'GPOS',
  'GDEF',
  'BASE',
  'JSTF',
  'MATH',
  'vhea',
  'vmtx',
  'VORG',
  'kern',
  'morx',
  'DSIG',
  'hdmx',
  'LTSH',
  'VDMX',
  'gasp',
  'meta',
];
const tagOf = (t: string): number => ((t.charCodeAt(0) << 24) | (t.charCodeAt(1) << 16) | (t.charCodeAt(2) << 8) | t.charCodeAt(3)) >>> 0;
const DROPPED_TAGS = DROPPED_TABLES.map(tagOf);

let compiled: WebAssembly.Module | undefined;
function hbModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(createRequire(import.meta.url).resolve('harfbuzzjs/dist/harfbuzz-subset.wasm')));
  return compiled;
}

/** One HarfBuzz instance (64 MB of wasm memory) and the faces loaded into it. */
export class HbSubsetter {
  private readonly hb: HbExports;

  constructor() {
    this.hb = new WebAssembly.Instance(hbModule(), {}).exports as unknown as HbExports;
    this.hb._initialize();
  }

  /** Loads an sfnt (TrueType or CFF OpenType) as a face; throws when the instance has no room for it. */
  load(bytes: Uint8Array): number {
    const ptr = this.hb.malloc(bytes.byteLength);
    if (!ptr) throw new RangeError(`no room in HarfBuzz's memory for a font of ${bytes.byteLength} bytes`);
    new Uint8Array(this.hb.memory.buffer).set(bytes, ptr);
    const blob = this.hb.hb_blob_create(ptr, bytes.byteLength, HB_MEMORY_MODE_WRITABLE, 0, 0);
    const face = this.hb.hb_face_create(blob, 0);
    this.hb.hb_blob_destroy(blob);
    return face;
  }

  /** The face with the subsetter's accelerators attached, for repeated subsets. */
  preprocess(face: number): number {
    const pre = this.hb.hb_subset_preprocess(face);
    if (!pre) throw new Error('hb_subset_preprocess failed');
    return pre;
  }

  /**
   * A subset holding the glyphs of `codePoints` (and .notdef), without layout closure, hinting or the tables in
   * DROPPED_TABLES; CFF charstrings are flattened when `desubroutinize` (a faster source for later subsets).
   */
  subset(face: number, codePoints: Iterable<number>, opts: { desubroutinize?: boolean } = {}): Buffer {
    const hb = this.hb;
    const input = hb.hb_subset_input_create_or_fail();
    if (!input) throw new Error('hb_subset_input_create_or_fail failed');
    try {
      const drop = hb.hb_subset_input_set(input, HB_SUBSET_SETS_DROP_TABLE_TAG);
      for (const t of DROPPED_TAGS) hb.hb_set_add(drop, t);
      hb.hb_subset_input_set_flags(
        input,
        HB_SUBSET_FLAGS_NO_HINTING | HB_SUBSET_FLAGS_NO_LAYOUT_CLOSURE | (opts.desubroutinize ? HB_SUBSET_FLAGS_DESUBROUTINIZE : 0),
      );
      const unicodes = hb.hb_subset_input_unicode_set(input);
      for (const cp of codePoints) hb.hb_set_add(unicodes, cp);
      const out = hb.hb_subset_or_fail(face, input);
      if (!out) throw new Error('hb_subset_or_fail failed');
      const blob = hb.hb_face_reference_blob(out);
      const length = hb.hb_blob_get_length(blob);
      const data = hb.hb_blob_get_data(blob, 0);
      // copied out before anything else can touch the wasm memory
      const bytes = Buffer.from(new Uint8Array(hb.memory.buffer, data, length));
      hb.hb_blob_destroy(blob);
      hb.hb_face_destroy(out);
      return bytes;
    } finally {
      hb.hb_subset_input_destroy(input);
    }
  }
}
