/**
 * Whether XML is well-formed, for the opening checks (a DOCX's word/document.xml, an OFD's parts, metadata.xml).
 *
 * fast-xml-parser's validator decides, and says what is wrong. In front of it, `plainWellFormed` scans the text
 * once (indexOf and character codes, no regular expression per attribute) and accepts only documents it proves
 * well-formed within a plain subset of XML 1.0: elements, attributes in single or double quotes, character data,
 * comments, processing instructions, CDATA sections and the five predefined entity and character references, names
 * within the Basic Multilingual Plane. Anything else — a DOCTYPE, another entity, a name outside the BMP, or any error — goes to the validator,
 * so its verdict and its message stand for every document the scan does not accept (xml.spec.ts checks, on real
 * parts and on thousands of damaged copies, that the scan never accepts what the validator refuses). The
 * validator's attribute checks were more than a third of checking a package of DOCX items.
 */
import { XMLValidator } from 'fast-xml-parser';

/** null when well-formed, else where and what (the validator's line and message). */
export function xmlProblem(text: string): string | null {
  if (plainWellFormed(text)) return null;
  const r = XMLValidator.validate(text);
  return r === true ? null : `第 ${r.err.line} 行：${r.err.msg}`;
}

const GT = 62; // >
const SLASH = 47;
const BANG = 33;
const QUESTION = 63;
const EQ = 61;
const DQ = 34;
const SQ = 39;

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
/** XML 1.0's NameStartChar and NameChar in ASCII. */
const NAME_START = new Uint8Array(128);
const NAME_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) NAME_START[c] = NAME_CHAR[c] = 1;
  if (/[0-9.-]/.test(ch)) NAME_CHAR[c] = 1;
}

/** XML 1.0's NameStartChar beyond ASCII (within the Basic Multilingual Plane). */
const wideNameStart = (c: number) =>
  (c >= 0xc0 && c <= 0xd6) ||
  (c >= 0xd8 && c <= 0xf6) ||
  (c >= 0xf8 && c <= 0x2ff) ||
  (c >= 0x370 && c <= 0x37d) ||
  (c >= 0x37f && c <= 0x1fff) ||
  (c >= 0x200c && c <= 0x200d) ||
  (c >= 0x2070 && c <= 0x218f) ||
  (c >= 0x2c00 && c <= 0x2fef) ||
  (c >= 0x3001 && c <= 0xd7ff) ||
  (c >= 0xf900 && c <= 0xfdcf) ||
  (c >= 0xfdf0 && c <= 0xfffd);
const wideNameChar = (c: number) => wideNameStart(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040);

/** The end of the name starting at i, or -1 when none starts there. */
function nameEnd(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (!(c < 128 ? NAME_START[c] : wideNameStart(c))) return -1;
  let j = i + 1;
  for (;;) {
    const d = s.charCodeAt(j);
    if (d < 128 ? NAME_CHAR[d] : wideNameChar(d)) j++;
    else return j; // NaN (past the end) ends the name too
  }
}

/** A character reference names a character XML allows. */
function legalCharRef(ref: string): boolean {
  if (!/^#(?:[0-9]{1,7}|x[0-9a-fA-F]{1,6})$/.test(ref)) return false;
  const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
  return (
    code === 9 ||
    code === 10 ||
    code === 13 ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

const PREDEFINED = new Set(['lt', 'gt', 'amp', 'apos', 'quot']);

/**
 * The next occurrence of a string at or after a position, remembered: the scan moves forward only, so each kind of
 * search walks the text once (an indexOf from every text run would walk the rest of the document each time).
 */
function cursor(s: string, what: string): (from: number) => number {
  let at = -2;
  return (from) => {
    if (at === -2 || (at !== -1 && at < from)) at = s.indexOf(what, from);
    return at;
  };
}

/**
 * True only when the text is well-formed XML within the plain subset described above; false means "not shown here"
 * (the validator decides).
 */
export function plainWellFormed(s: string): boolean {
  const n = s.length;
  let i = s.charCodeAt(0) === 0xfeff ? 1 : 0;
  const nextAmp = cursor(s, '&');
  const nextCdEnd = cursor(s, ']]>');
  /** Every '&' in [from, to) starts a predefined entity or a character reference. */
  const referencesOk = (from: number, to: number): boolean => {
    for (let a = nextAmp(from); a !== -1 && a < to; a = nextAmp(a + 1)) {
      const semi = s.indexOf(';', a + 1);
      if (semi === -1 || semi >= to || semi - a > 12) return false;
      const ref = s.slice(a + 1, semi);
      if (!PREDEFINED.has(ref) && !legalCharRef(ref)) return false;
    }
    return true;
  };
  const stack: string[] = [];
  let roots = 0;
  let first = true; // nothing but the BOM before this point (where the XML declaration may stand)
  while (i < n) {
    const lt = s.indexOf('<', i);
    const end = lt === -1 ? n : lt;
    if (end > i) {
      if (!stack.length) {
        for (let k = i; k < end; k++) if (!isSpace(s.charCodeAt(k))) return false;
      } else {
        const cd = nextCdEnd(i);
        if ((cd !== -1 && cd < end) || !referencesOk(i, end)) return false; // ']]>' is not character data
      }
      first = false;
    }
    if (lt === -1) break;
    const c = s.charCodeAt(lt + 1);
    if (c === QUESTION) {
      // processing instruction (or the XML declaration, only at the very start)
      const t = nameEnd(s, lt + 2);
      if (t === -1) return false;
      const target = s.slice(lt + 2, t).toLowerCase();
      if (target === 'xml' ? !first : target.startsWith('xml')) return false;
      const close = s.indexOf('?>', t);
      if (close === -1 || (close > t && !isSpace(s.charCodeAt(t)))) return false;
      if (
        target === 'xml' &&
        !/^\s+version\s*=\s*(["'])1\.\d+\1(?:\s+encoding\s*=\s*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*$/.test(
          s.slice(t, close),
        )
      )
        return false;
      i = close + 2;
    } else if (c === BANG) {
      if (s.startsWith('<!--', lt)) {
        const close = s.indexOf('--', lt + 4);
        if (close === -1 || s.charCodeAt(close + 2) !== GT) return false; // '--' inside a comment, or no end
        i = close + 3;
      } else if (stack.length && s.startsWith('<![CDATA[', lt)) {
        const close = s.indexOf(']]>', lt + 9);
        if (close === -1) return false;
        i = close + 3;
      } else return false; // a DOCTYPE, or CDATA outside the root: the validator decides
    } else if (c === SLASH) {
      const e = nameEnd(s, lt + 2);
      if (e === -1 || !stack.length || stack.pop() !== s.slice(lt + 2, e)) return false;
      let k = e;
      while (isSpace(s.charCodeAt(k))) k++;
      if (s.charCodeAt(k) !== GT) return false;
      i = k + 1;
    } else {
      // a start tag or an empty-element tag
      const e = nameEnd(s, lt + 1);
      if (e === -1 || (!stack.length && roots > 0)) return false;
      const name = s.slice(lt + 1, e);
      let k = e;
      let attrs: string[] | null = null;
      for (;;) {
        const before = k;
        while (isSpace(s.charCodeAt(k))) k++;
        const d = s.charCodeAt(k);
        if (d === GT || d === SLASH) break;
        if (k === before) return false; // attributes are separated by white space
        const an = nameEnd(s, k);
        if (an === -1) return false;
        const attr = s.slice(k, an);
        if (attrs === null) attrs = [attr];
        else if (attrs.includes(attr)) return false;
        else attrs.push(attr);
        k = an;
        while (isSpace(s.charCodeAt(k))) k++;
        if (s.charCodeAt(k) !== EQ) return false;
        k++;
        while (isSpace(s.charCodeAt(k))) k++;
        const q = s.charCodeAt(k);
        if (q !== DQ && q !== SQ) return false;
        const close = s.indexOf(q === DQ ? '"' : "'", k + 1);
        if (close === -1) return false;
        const lt2 = s.indexOf('<', k + 1);
        if (lt2 !== -1 && lt2 < close) return false;
        if (!referencesOk(k + 1, close)) return false;
        k = close + 1;
      }
      if (s.charCodeAt(k) === SLASH) {
        if (s.charCodeAt(k + 1) !== GT) return false;
        if (!stack.length) roots++;
        i = k + 2;
      } else {
        if (!stack.length) roots++;
        stack.push(name);
        i = k + 1;
      }
    }
    first = false;
  }
  return roots === 1 && !stack.length;
}
