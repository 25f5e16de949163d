import { FONT, FONT_DECLARATIONS, type FontName } from './layout.js';

const CJK_SIG = 'w:usb0="00000001" w:usb1="080E0000" w:usb2="00000010" w:usb3="00000000" w:csb0="00040000" w:csb1="00000000"';
const LATIN_SIG = 'w:usb0="E0002EFF" w:usb1="C000785B" w:usb2="00000009" w:usb3="00000000" w:csb0="000001FF" w:csb1="00000000"';

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * word/fontTable.xml declaring every face the renderer names, with an alternative name, PANOSE class, the GB2312
 * character set (86) and Unicode ranges, so that Word and other viewers that lack 方正小标宋简体 or 仿宋_GB2312 pick
 * a Chinese face of the same class rather than a Latin default. Built once: it does not depend on the document.
 */
export const FONT_TABLE_XML: string = (() => {
  const fonts = FONT_DECLARATIONS.map((f) => {
    const sig = f.charset === '86' ? CJK_SIG : LATIN_SIG;
    return (
      `<w:font w:name="${escapeXml(f.name)}">` +
      (f.altName ? `<w:altName w:val="${escapeXml(f.altName)}"/>` : '') +
      `<w:panose1 w:val="${f.panose}"/><w:charset w:val="${f.charset}"/><w:family w:val="${f.family}"/>` +
      `<w:pitch w:val="${f.pitch}"/><w:sig ${sig}/></w:font>`
    );
  }).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<w:fonts xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" ' +
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ' +
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ' +
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" mc:Ignorable="w14">' +
    fonts +
    '</w:fonts>'
  );
})();

/**
 * Run fonts: the Chinese face in the eastAsia slot (with the eastAsia hint, so full-width punctuation uses it too).
 * Body faces (仿宋, 楷体) set digits and Latin letters in Times New Roman, as offices do; display faces keep their own.
 * `ownLatin` keeps the Chinese face for every character: for names, whose ×, · and the like must be full-width in
 * LibreOffice too (it picks the face by character class and ignores the eastAsia hint).
 */
export function runFont(
  name: FontName,
  opts: { ownLatin?: boolean } = {},
): { ascii: string; hAnsi: string; eastAsia: string; cs: string; hint: string } {
  const latin = !opts.ownLatin && (name === FONT.fangsong || name === FONT.kai) ? FONT.latin : name;
  return { ascii: latin, hAnsi: latin, eastAsia: name, cs: latin, hint: 'eastAsia' };
}
