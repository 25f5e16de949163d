/**
 * The faces an OFD embeds, read back by a font parser gongwen does not write them with (fontkit): every character of
 * every text object has an outline in the font its object names. The title carries two characters outside GB 2312
 * (堃, 镕), which are cut from the whole face rather than from the resident GB 2312 cut.
 */
import { strFromU8, unzipSync } from 'fflate';
import * as fontkit from 'fontkit';
import { noticeFixture } from '#gongwen/docx/fixtures';
import { renderOfd } from '#gongwen/ofd';

it('embeds, for every character drawn, a glyph with an outline in the font the text object names', async () => {
  const f = noticeFixture();
  f.content.title = `${f.content.title}（堃镕）`;
  const ofd = await renderOfd(f.content, f.ctx);
  const files = unzipSync(ofd);
  const res = strFromU8(files['Doc_0/PublicRes.xml']);
  const fonts = new Map<string, fontkit.Font>();
  for (const m of res.matchAll(/<ofd:Font ID="(\d+)"[^>]*><ofd:FontFile>([^<]+)<\/ofd:FontFile>/g))
    fonts.set(m[1], fontkit.create(Buffer.from(files[`Doc_0/Res/${m[2]}`])));
  expect(fonts.size).toBeGreaterThanOrEqual(4);
  const missing: string[] = [];
  let drawn = 0;
  for (const [path, data] of Object.entries(files)) {
    if (!/Pages\/Page_\d+\/Content\.xml$/.test(path)) continue;
    for (const m of strFromU8(data).matchAll(/<ofd:TextObject [^>]*Font="(\d+)"[^>]*>.*?<ofd:TextCode[^>]*>([^<]*)<\/ofd:TextCode>/g)) {
      const font = fonts.get(m[1]);
      for (const ch of m[2]
        .replace(/&amp;/g, '&')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')) {
        drawn++;
        const g = font?.glyphForCodePoint(ch.codePointAt(0)!);
        if (!g?.id || (ch.trim() && !g.path.commands.length)) missing.push(`${ch} (font ${m[1]})`);
      }
    }
  }
  expect(drawn).toBeGreaterThan(500);
  expect(missing).toEqual([]);
  // only the characters used: the title's face holds a few dozen glyphs, not the GB 2312 cut's thousands
  const titleFont = [...res.matchAll(/<ofd:Font ID="(\d+)" FontName="方正小标宋简体"/g)][0][1];
  expect(fonts.get(titleFont)!.numGlyphs).toBeLessThan(100);
  // the same document again embeds the same font files (subsets are cached by face and characters)
  const again = unzipSync(await renderOfd(f.content, f.ctx));
  for (const name of Object.keys(files).filter((n) => /\.(ttf|otf)$/.test(n)))
    expect(Buffer.compare(Buffer.from(again[name]), Buffer.from(files[name]))).toBe(0);
}, 120_000);
