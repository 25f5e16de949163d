/**
 * The standard round red seal of an issuing body (党政机关公章 style): a red ring, the body's name along the upper arc,
 * a five-pointed star in the centre. Drawn as SVG and rasterised with @resvg/resvg-js in a CJK serif face (宋体 in
 * offices; Noto Serif CJK SC stands in). Every character is placed and turned on its own rather than through
 * <textPath>, so the spacing is even whatever the renderer.
 */
import { Resvg } from '@resvg/resvg-js';
import { existsSync } from 'node:fs';

/** The seal's diameter on the page: 42 mm, the size most bodies below the provincial level use. */
export const SEAL_DIAMETER_MM = 42;
export const SEAL_RED = '#E60012';

const FONT_FILES = [
  '/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc',
  '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc',
];
const FONT_FAMILY = 'Noto Serif CJK SC';

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function starPath(cx: number, cy: number, r: number): string {
  const pts: string[] = [];
  for (let i = 0; i < 10; i++) {
    const radius = i % 2 === 0 ? r : r * 0.382;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    pts.push(`${(cx + radius * Math.cos(a)).toFixed(2)},${(cy + radius * Math.sin(a)).toFixed(2)}`);
  }
  return `M${pts.join('L')}Z`;
}

/**
 * The seal as SVG in a 420 × 420 user space (10 units per mm). `name` runs clockwise along the upper arc, spread
 * over up to 250° (fewer characters take less arc, as engravers do); `bottomText` (e.g. a purpose such as 专用章)
 * sits straight below the star.
 */
export function sealSvg(name: string, opts: { bottomText?: string } = {}): string {
  const size = SEAL_DIAMETER_MM * 10;
  const c = size / 2;
  const ring = 12; // 1.2 mm ring
  const chars = [...name.trim()];
  if (!chars.length) throw new Error('a seal needs a name');
  const n = chars.length;
  const span = Math.min(250, Math.max(120, n * 22));
  const step = n > 1 ? span / (n - 1) : 0;
  const fontSize = Math.min(62, Math.max(34, (((span / 360) * 2 * Math.PI * (c - 60)) / n) * 0.92));
  const textRadius = c - ring - 12 - fontSize / 2;
  const glyphs = chars
    .map((ch, i) => {
      const deg = -span / 2 + i * step; // 0 = straight up
      const rad = ((deg - 90) * Math.PI) / 180;
      const x = c + textRadius * Math.cos(rad);
      const y = c + textRadius * Math.sin(rad);
      return (
        `<text x="0" y="0" transform="translate(${x.toFixed(2)} ${y.toFixed(2)}) rotate(${deg.toFixed(2)})" ` +
        `text-anchor="middle" dominant-baseline="central">${escapeXml(ch)}</text>`
      );
    })
    .join('');
  const bottom = opts.bottomText
    ? `<text x="${c}" y="${c + 120}" text-anchor="middle" dominant-baseline="central" font-size="40">${escapeXml(opts.bottomText)}</text>`
    : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SEAL_DIAMETER_MM}mm" height="${SEAL_DIAMETER_MM}mm" viewBox="0 0 ${size} ${size}">` +
    `<circle cx="${c}" cy="${c}" r="${c - ring / 2 - 1}" fill="none" stroke="${SEAL_RED}" stroke-width="${ring}"/>` +
    `<path d="${starPath(c, c, 70)}" fill="${SEAL_RED}"/>` +
    `<g fill="${SEAL_RED}" font-family="${FONT_FAMILY}" font-weight="bold" font-size="${fontSize.toFixed(1)}">${glyphs}${bottom}</g>` +
    `</svg>`
  );
}

/** The seal rasterised to PNG with a transparent background; `pixels` wide (default 600 ≈ 360 dpi at 42 mm). */
export function sealPng(name: string, opts: { bottomText?: string; pixels?: number } = {}): Uint8Array {
  const fontFiles = FONT_FILES.filter((f) => existsSync(f));
  const resvg = new Resvg(sealSvg(name, opts), {
    fitTo: { mode: 'width', value: opts.pixels ?? 600 },
    font: { fontFiles, loadSystemFonts: fontFiles.length === 0, defaultFontFamily: FONT_FAMILY },
    background: 'rgba(0,0,0,0)',
  });
  return new Uint8Array(resvg.render().asPng());
}

/** Width and height of a PNG, read from its IHDR chunk; throws when the bytes are not a PNG. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || !sig.every((b, i) => png[i] === b)) throw new Error('not a PNG image');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
