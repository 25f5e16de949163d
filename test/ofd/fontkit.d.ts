// fontkit ships no type declarations: the little the tests read of it.
declare module 'fontkit' {
  export interface Glyph {
    id: number;
    path: { commands: unknown[] };
  }
  export interface Font {
    glyphForCodePoint(codePoint: number): Glyph;
    numGlyphs: number;
  }
  export function create(buffer: Buffer): Font;
}
