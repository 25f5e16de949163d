/**
 * The web preview's self-hosted faces: the committed CSS is what the generator makes from the installed font
 * packages, names every standard face the DOCX uses, and points only at woff2 files that exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { OUTPUT, previewFontsCss } from '../../scripts/docx/web-fonts.js';

const root = resolve('.');

describe('web preview fonts', () => {
  const css = readFileSync(join(root, OUTPUT), 'utf8');

  it('is up to date with the generator (node dist/scripts/docx/web-fonts.js)', () => {
    expect(css).toBe(previewFontsCss(root));
  });

  it('names the standard faces with Simplified-Chinese subsets, woff2 files that exist', () => {
    const families = new Set([...css.matchAll(/font-family:"([^"]+)"/g)].map((m) => m[1]));
    expect([...families].sort()).toEqual(['仿宋_GB2312', '宋体', '方正小标宋简体', '楷体_GB2312', '黑体'].sort());
    const urls = [...css.matchAll(/url\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(urls.length).toBeGreaterThan(300);
    for (const u of new Set(urls)) {
      expect(u).toMatch(/\.woff2$/);
      expect(existsSync(resolve(dirname(join(root, OUTPUT)), u))).toBe(true);
    }
    // 永 (U+6C38) is covered for every face: a subset's range contains it
    for (const f of families) {
      const ranges = [...css.matchAll(new RegExp(`font-family:"${f}"[^}]*unicode-range:([^}]+)\\}`, 'g'))].map((m) => m[1]);
      const covers = ranges.some((r) =>
        r.split(',').some((part) => {
          const m = /U\+([0-9a-f]+)(?:-([0-9a-f]+))?/i.exec(part.trim());
          if (!m) return false;
          const lo = parseInt(m[1], 16);
          const hi = m[2] ? parseInt(m[2], 16) : lo;
          return lo <= 0x6c38 && 0x6c38 <= hi;
        }),
      );
      expect({ f, covers }).toEqual({ f, covers: true });
    }
  });
});
