/**
 * The OFD signature container (GB/T 33190-2016 §18), after ofdrw's layout of it:
 *
 *   OFD.xml DocBody/Signatures → Doc_0/Signs/Signatures.xml (MaxSignId, one Signature entry per seal)
 *   Doc_0/Signs/Sign_N/Signature.xml   SignedInfo: Provider, SignatureMethod (SM2, 1.2.156.10197.1.501),
 *                                      SignatureDateTime, References (CheckMethod SM3, 1.2.156.10197.1.401) with the
 *                                      SM3 digest of every file of the package, StampAnnot (page, Boundary);
 *                                      SignedValue → SignedValue.dat
 *   Doc_0/Signs/Sign_N/SignedValue.dat the GB/T 38540 SES_Signature (DER) over Signature.xml, made by `sign`
 *
 * The stamp image is also drawn as a Stamp annotation on the page (Annots), so that a reader that does not open the
 * seal still shows it. Every file is referenced except the lists a later seal rewrites (Signatures.xml,
 * Annotations.xml, DocumentRes.xml) and the new signature's own two files: a second seal (joint documents) then
 * leaves the first one's references intact, and it references the first seal's files in turn.
 * SM3 through Node's OpenSSL where it offers it (sm-crypto-v2's JavaScript otherwise: ten times slower over the
 * embedded fonts), the zip through fflate. The XML is written as strings (writer.ts `el`), as the pages are.
 */

/** An OFD package in memory: its files by path (directories left out). */
class Package {
  readonly files: Record<string, Uint8Array>;
  constructor(bytes: Uint8Array) {
    const all = unzipSync(bytes);
    this.files = Object.fromEntries(Object.entries(all).filter(([p]) => !p.endsWith('/')));
  }
  has(path: string): boolean {
    return path in this.files;
  }
  text(path: string): string {
    const f = this.files[path];
    if (!f) throw new Error(`OFD part missing: ${path}`);
    return strFromU8(f);
  }
  set(path: string, data: string | Uint8Array): void {
    this.files[path] = typeof data === 'string' ? strToU8(data) : data;
  }
  bytes(): Buffer {
    const out: Zippable = {};
    for (const [p, d] of Object.entries(this.files)) out[p] = /\.(ttf|otf|png|dat)$/.test(p) ? [d, { level: 0 }] : d;
    return Buffer.from(zipSync(out, { level: 6 }));
  }
}
import { createHash, getHashes } from 'node:crypto';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { sm3 } from 'sm-crypto-v2';
import { XMLParser } from 'fast-xml-parser';
import { OFD_NS, el } from './writer.js';

export const SM2_SIGNATURE_METHOD = '1.2.156.10197.1.501';
export const SM3_CHECK_METHOD = '1.2.156.10197.1.401';

export interface SignOfdOptions {
  /** 1-based page number the seal is placed on. */
  page: number;
  /** Where the stamp goes: [x, y, width, height] in mm from the page's top left. */
  boundaryMm: [number, number, number, number];
  /** The stamp's image (PNG). */
  stamp: Uint8Array;
  /** Signs the Signature.xml bytes; returns the SES_Signature (GB/T 38540) DER. */
  sign: (signatureXml: Uint8Array) => Promise<Uint8Array>;
  /** Signing time (defaults to now). */
  at?: Date;
  provider?: { name: string; company?: string; version?: string };
}

const UNREFERENCED = /(^|\/)(Signatures\.xml|Annotations\.xml|DocumentRes\.xml)$/;

const NATIVE_SM3 = getHashes().includes('sm3');
const sm3Base64 = (bytes: Uint8Array): string =>
  NATIVE_SM3 ? createHash('sm3').update(bytes).digest('base64') : Buffer.from(sm3(bytes), 'hex').toString('base64');
const fmt = (n: number): string => String(Math.round(n * 1000) / 1000);
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';
const text = (s: string): { text: string } => ({ text: s });

/** The first element with a local name (namespace prefixes vary between writers). */
function findAll(node: unknown, local: string, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(node)) for (const n of node) findAll(n, local, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (k.replace(/^.*:/, '') === local) {
        if (Array.isArray(v)) out.push(...(v as Record<string, unknown>[]));
        else out.push(v as Record<string, unknown>);
      }
      findAll(v, local, out);
    }
  }
  return out;
}
const textOf = (v: unknown): string =>
  typeof v === 'string' ? v : v && typeof v === 'object' && '#' in (v as object) ? String((v as Record<string, unknown>)['#']) : '';
const stripSlash = (p: string): string => p.replace(/^\/+/, '');

/** Elements as objects: attributes under `@name`, text under `#`, every value a string. */
const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#',
  parseTagValue: false,
  parseAttributeValue: false,
});
const parseXml = (xml: string): Record<string, unknown> => xmlParser.parse(xml) as Record<string, unknown>;

function readXml(pkg: Package, path: string): Record<string, unknown> {
  return parseXml(pkg.text(path));
}

/** The document root (Doc_0/Document.xml) named by OFD.xml, and its folder. */
function docRoot(pkg: Package): { root: string; dir: string; ofdXml: string } {
  const ofdXml = pkg.text('OFD.xml');
  const m = /<(?:\w+:)?DocRoot>([^<]+)<\/(?:\w+:)?DocRoot>/.exec(ofdXml);
  if (!m) throw new Error('OFD.xml has no DocRoot');
  const root = stripSlash(m[1].trim());
  return { root, dir: root.includes('/') ? root.slice(0, root.lastIndexOf('/') + 1) : '', ofdXml };
}

/** Adds a seal: annotation, Signature.xml with the SM3 references, SignedValue.dat from `sign`. */
export async function signOfd(ofd: Uint8Array, opts: SignOfdOptions): Promise<Buffer> {
  const pkg = new Package(ofd);
  const { root, dir, ofdXml } = docRoot(pkg);
  const docXml = pkg.text(root);
  const pageLocs = [...docXml.matchAll(/<(?:\w+:)?Page\s+([^>]*?)\/?>/g)].map((m) => ({
    id: /ID="(\d+)"/.exec(m[1])?.[1] ?? '',
    loc: /BaseLoc="([^"]+)"/.exec(m[1])?.[1] ?? '',
  }));
  const page = pageLocs[opts.page - 1];
  if (!page) throw new RangeError(`the OFD has ${pageLocs.length} pages, not ${opts.page}`);
  // Ids above every id in the package (a later seal must not rewrite Document.xml, which the earlier ones reference)
  let maxId = Number(/<(?:\w+:)?MaxUnitID>(\d+)</.exec(docXml)?.[1] ?? '0');
  for (const p of Object.keys(pkg.files).filter((f) => (f.endsWith('.xml') && f.includes('Annots/')) || f === `${dir}DocumentRes.xml`)) {
    for (const m of pkg.text(p).matchAll(/\bID="(\d+)"/g)) maxId = Math.max(maxId, Number(m[1]));
  }
  const nextId = (): number => ++maxId;

  // Signatures list
  const signsPath = `${dir}Signs/Signatures.xml`;
  let signaturesXml = pkg.has(signsPath) ? pkg.text(signsPath) : '';
  const existing = [...signaturesXml.matchAll(/<(?:\w+:)?Signature\s[^>]*ID="(\d+)"/g)].map((m) => Number(m[1]));
  const signId = Math.max(0, ...existing) + 1;
  const n = existing.length;
  const signDir = `${dir}Signs/Sign_${n}/`;

  // Stamp image as a resource and a Stamp annotation on the page
  const imageId = nextId();
  const imageName = `stamp_${signId}.png`;
  pkg.set(`${dir}Res/${imageName}`, opts.stamp);
  const resPath = `${dir}DocumentRes.xml`;
  const resXml = pkg.has(resPath)
    ? pkg.text(resPath)
    : `<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="${OFD_NS}" BaseLoc="Res"></ofd:Res>`;
  const media = `<ofd:MultiMedia ID="${imageId}" Type="Image" Format="PNG"><ofd:MediaFile>${imageName}</ofd:MediaFile></ofd:MultiMedia>`;
  const withMedia = /<(?:\w+:)?MultiMedias>/.test(resXml)
    ? resXml.replace(/<\/((?:\w+:)?)MultiMedias>/, `${media}</$1MultiMedias>`)
    : resXml
        .replace(/<\/((?:\w+:)?)Res>\s*$/, `<ofd:MultiMedias>${media}</ofd:MultiMedias></$1Res>`)
        .replace(/<((?:\w+:)?)Res([^>]*)\/>\s*$/, `<$1Res$2><ofd:MultiMedias>${media}</ofd:MultiMedias></$1Res>`);
  pkg.set(resPath, withMedia);
  const [bx, by, bw, bh] = opts.boundaryMm;
  const annotFile = `Page_${opts.page - 1}/Stamp_${signId}.xml`;
  const annotId = nextId();
  const boundary = `${fmt(bx)} ${fmt(by)} ${fmt(bw)} ${fmt(bh)}`;
  const annot =
    XML_HEAD +
    el(
      'ofd:PageAnnot',
      { 'xmlns:ofd': OFD_NS },
      el(
        'ofd:Annot',
        { ID: String(annotId), Type: 'Stamp', Creator: 'gongwen', NoView: 'false', Print: 'true', ReadOnly: 'true' },
        el(
          'ofd:Appearance',
          { Boundary: boundary },
          el('ofd:ImageObject', {
            ID: String(nextId()),
            Boundary: `0 0 ${fmt(bw)} ${fmt(bh)}`,
            CTM: `${fmt(bw)} 0 0 ${fmt(bh)} 0 0`,
            ResourceID: String(imageId),
          }),
        ),
      ),
    );
  pkg.set(`${dir}Annots/${annotFile}`, annot);
  const annotsPath = `${dir}Annots/Annotations.xml`;
  const annotsXml = pkg.has(annotsPath)
    ? pkg.text(annotsPath)
    : `<?xml version="1.0" encoding="UTF-8"?><ofd:Annotations xmlns:ofd="${OFD_NS}"></ofd:Annotations>`;
  pkg.set(
    annotsPath,
    annotsXml.replace(
      /<\/((?:\w+:)?)Annotations>\s*$/,
      `<ofd:Page PageID="${page.id}"><ofd:FileLoc>${annotFile}</ofd:FileLoc></ofd:Page></$1Annotations>`,
    ),
  );
  let newDocXml = docXml;
  if (n === 0) newDocXml = newDocXml.replace(/(<(?:\w+:)?MaxUnitID>)\d+(<)/, `$1${maxId}$2`);
  if (!/<(?:\w+:)?Annotations>/.test(newDocXml))
    newDocXml = newDocXml.replace(/<\/((?:\w+:)?)Document>\s*$/, `<ofd:Annotations>Annots/Annotations.xml</ofd:Annotations></$1Document>`);
  if (!/<(?:\w+:)?DocumentRes>/.test(newDocXml))
    newDocXml = newDocXml.replace(/<\/((?:\w+:)?)CommonData>/, `<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes></$1CommonData>`);
  pkg.set(root, newDocXml);

  // Signatures.xml and the entry in OFD.xml
  const entry = `<ofd:Signature ID="${signId}" Type="Seal" BaseLoc="/${signDir}Signature.xml"/>`;
  signaturesXml = signaturesXml
    ? signaturesXml
        .replace(/(<(?:\w+:)?MaxSignId>)\d+(<)/, `$1${signId}$2`)
        .replace(/<\/((?:\w+:)?)Signatures>\s*$/, `${entry}</$1Signatures>`)
    : `<?xml version="1.0" encoding="UTF-8"?><ofd:Signatures xmlns:ofd="${OFD_NS}"><ofd:MaxSignId>${signId}</ofd:MaxSignId>${entry}</ofd:Signatures>`;
  pkg.set(signsPath, signaturesXml);
  if (!/<(?:\w+:)?Signatures>/.test(ofdXml)) {
    pkg.set('OFD.xml', ofdXml.replace(/<\/((?:\w+:)?)DocBody>/, `<ofd:Signatures>${signsPath}</ofd:Signatures></$1DocBody>`));
  }

  // References: every file except the rewritten lists and this signature's own files
  const refs: { path: string; digest: string }[] = [];
  const names = Object.keys(pkg.files)
    .filter((p) => !UNREFERENCED.test(p) && !p.startsWith(signDir))
    .sort();
  for (const p of names) refs.push({ path: p, digest: sm3Base64(pkg.files[p]) });

  const provider = opts.provider ?? { name: 'gongwen', company: 'gongwen', version: '0.1.0' };
  const signatureXml = Buffer.from(
    XML_HEAD +
      el(
        'ofd:Signature',
        { 'xmlns:ofd': OFD_NS },
        el(
          'ofd:SignedInfo',
          {},
          el('ofd:Provider', { ProviderName: provider.name, Version: provider.version, Company: provider.company }),
          el('ofd:SignatureMethod', {}, text(SM2_SIGNATURE_METHOD)),
          el('ofd:SignatureDateTime', {}, text(signatureTime(opts.at ?? new Date()))),
          el(
            'ofd:References',
            { CheckMethod: SM3_CHECK_METHOD },
            ...refs.map((r) => el('ofd:Reference', { FileRef: `/${r.path}` }, el('ofd:CheckValue', {}, text(r.digest)))),
          ),
          el('ofd:StampAnnot', { ID: String(annotId), PageRef: page.id, Boundary: boundary }),
        ),
        el('ofd:SignedValue', {}, text(`/${signDir}SignedValue.dat`)),
      ),
    'utf8',
  );
  pkg.set(`${signDir}Signature.xml`, signatureXml);
  pkg.set(`${signDir}SignedValue.dat`, await opts.sign(signatureXml));
  return pkg.bytes();
}

/** GB/T 33190 writes the signing time as yyyyMMddHHmmss (UTC here, marked Z-less as ofdrw does). */
function signatureTime(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export interface OfdSignatureCheck {
  id: string;
  /** The Signature.xml path. */
  path: string;
  pageRef?: string;
  boundary?: string;
  signatureMethod: string;
  signedAt: string;
  /** The SES_Signature bytes, for the seal verifier (libs/seal). */
  signedValue: Uint8Array;
  /** The Signature.xml bytes the SES_Signature signs. */
  signatureXml: Uint8Array;
  /** References whose file is missing or whose SM3 digest differs. */
  failures: { path: string; reason: 'missing' | 'digest' | 'unsupported-method' }[];
}
export interface OfdVerification {
  ok: boolean;
  signatures: OfdSignatureCheck[];
}

/** Recomputes every reference digest of every signature and names the parts that changed. */
export async function verifyOfd(ofd: Uint8Array): Promise<OfdVerification> {
  const pkg = new Package(ofd);
  const { ofdXml } = docRoot(pkg);
  const m = /<(?:\w+:)?Signatures>([^<]+)<\/(?:\w+:)?Signatures>/.exec(ofdXml);
  if (!m) return { ok: false, signatures: [] };
  const signsPath = stripSlash(m[1].trim());
  const list = readXml(pkg, signsPath);
  const signsDir = signsPath.includes('/') ? signsPath.slice(0, signsPath.lastIndexOf('/') + 1) : '';
  const entries = findAll(list, 'Signature');
  const out: OfdSignatureCheck[] = [];
  for (const e of entries) {
    const base = String(e['@BaseLoc'] ?? '');
    const path = base.startsWith('/') ? stripSlash(base) : signsDir + base;
    if (!pkg.has(path)) {
      out.push({
        id: String(e['@ID'] ?? ''),
        path,
        signatureMethod: '',
        signedAt: '',
        signedValue: new Uint8Array(),
        signatureXml: new Uint8Array(),
        failures: [{ path, reason: 'missing' }],
      });
      continue;
    }
    const signatureXml = pkg.files[path];
    const sig = parseXml(Buffer.from(signatureXml).toString('utf8'));
    const sigDir = path.slice(0, path.lastIndexOf('/') + 1);
    const refsEl = findAll(sig, 'References')[0] ?? {};
    const method = String(refsEl['@CheckMethod'] ?? '');
    const failures: OfdSignatureCheck['failures'] = [];
    for (const r of findAll(refsEl, 'Reference')) {
      const fileRef = String(r['@FileRef'] ?? '');
      const target = fileRef.startsWith('/') ? stripSlash(fileRef) : sigDir + fileRef;
      const expected = textOf(findAll(r, 'CheckValue')[0]).trim();
      const f = pkg.files[target];
      if (!f) failures.push({ path: target, reason: 'missing' });
      else if (method !== SM3_CHECK_METHOD) failures.push({ path: target, reason: 'unsupported-method' });
      else if (sm3Base64(f) !== expected) failures.push({ path: target, reason: 'digest' });
    }
    const valueLoc = textOf(findAll(sig, 'SignedValue')[0]).trim();
    const valuePath = valueLoc.startsWith('/') ? stripSlash(valueLoc) : sigDir + valueLoc;
    const valueFile = pkg.files[valuePath];
    if (!valueFile) failures.push({ path: valuePath, reason: 'missing' });
    const stamp = findAll(sig, 'StampAnnot')[0];
    out.push({
      id: String(e['@ID'] ?? ''),
      path,
      pageRef: stamp ? String(stamp['@PageRef'] ?? '') : undefined,
      boundary: stamp ? String(stamp['@Boundary'] ?? '') : undefined,
      signatureMethod: textOf(findAll(sig, 'SignatureMethod')[0]).trim(),
      signedAt: textOf(findAll(sig, 'SignatureDateTime')[0]).trim(),
      signedValue: valueFile ?? new Uint8Array(),
      signatureXml,
      failures,
    });
  }
  return { ok: out.length > 0 && out.every((s) => s.failures.length === 0), signatures: out };
}
