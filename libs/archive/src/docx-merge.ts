/**
 * Merges DOCX packages into one, each in its own section(s), in bounded memory: the merged body is streamed to a
 * temporary file one input at a time, then the package is zipped to disk with yazl. Every input keeps its page
 * setup, headers and footers (parts are copied, renamed and deduplicated by content) and restarts its page numbers.
 * Styles, fonts, settings, theme and numbering come from the `base` package: the inputs are expected to be
 * produced by the same renderer (the archive's own forms use direct formatting only).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { xmlEscape } from './stamp.js';
import { ZipWriter } from './zip.js';

const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const REL_TYPES = {
  header: `${REL_NS}/header`,
  footer: `${REL_NS}/footer`,
  image: `${REL_NS}/image`,
  hyperlink: `${REL_NS}/hyperlink`,
};
const CT = {
  document: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
  header: 'application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml',
  footer: 'application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml',
};

/** Shared parts taken from the base package: [path in package, relationship type, content type]. */
const SHARED_PARTS: [string, string, string][] = [
  ['word/styles.xml', `${REL_NS}/styles`, 'application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml'],
  ['word/numbering.xml', `${REL_NS}/numbering`, 'application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml'],
  ['word/footnotes.xml', `${REL_NS}/footnotes`, 'application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml'],
  ['word/endnotes.xml', `${REL_NS}/endnotes`, 'application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml'],
  ['word/settings.xml', `${REL_NS}/settings`, 'application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml'],
  ['word/theme/theme1.xml', `${REL_NS}/theme`, 'application/vnd.openxmlformats-officedocument.theme+xml'],
  ['word/fontTable.xml', `${REL_NS}/fontTable`, 'application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml'],
];

interface Rel {
  id: string;
  type: string;
  target: string;
  external: boolean;
}

function parseRels(xml: string | null): Map<string, Rel> {
  const out = new Map<string, Rel>();
  if (!xml) return out;
  for (const m of xml.matchAll(/<Relationship\b([^>]*?)\/?>/g)) {
    const attr = (n: string) => new RegExp(`\\b${n}="([^"]*)"`).exec(m[1])?.[1] ?? '';
    out.set(attr('Id'), { id: attr('Id'), type: attr('Type'), target: attr('Target'), external: attr('TargetMode') === 'External' });
  }
  return out;
}

function relsXml(rels: Rel[]): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels
      .map(
        (r) => `<Relationship Id="${r.id}" Type="${r.type}" Target="${xmlEscape(r.target)}"${r.external ? ' TargetMode="External"' : ''}/>`,
      )
      .join('')}</Relationships>`
  );
}

const dirOf = (p: string) => p.slice(0, p.lastIndexOf('/') + 1);
const relsPathOf = (p: string) => `${dirOf(p)}_rels/${p.slice(p.lastIndexOf('/') + 1)}.rels`;
/** Resolves a relationship target relative to the part that owns it. */
function resolveTarget(owner: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = (dirOf(owner) + target).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.') out.push(p);
  }
  return out.join('/');
}

/**
 * Ends a section: its properties go into the last paragraph's pPr (adding no line, so an item's page count does
 * not change), or into an empty paragraph when the content does not end with a plain paragraph.
 */
export function endSection(content: string, sectPr: string): string {
  if (content.endsWith('</w:p>')) {
    const start = Math.max(content.lastIndexOf('<w:p>'), content.lastIndexOf('<w:p '));
    const para = start >= 0 ? content.slice(start) : '';
    if (para && !para.includes('<w:tbl') && !para.includes('<w:txbxContent') && !para.includes('<w:sectPr')) {
      const head = content.slice(0, start);
      if (para.includes('</w:pPr>')) return head + para.replace('</w:pPr>', `${sectPr}</w:pPr>`);
      const open = para.indexOf('>') + 1;
      return head + para.slice(0, open) + `<w:pPr>${sectPr}</w:pPr>` + para.slice(open);
    }
  }
  return `${content}<w:p><w:pPr>${sectPr}</w:pPr></w:p>`;
}

export interface MergeOptions {
  title: string;
  /** Called after each input is merged (index from 0). */
  onInput?: (index: number) => void | Promise<void>;
  signal?: AbortSignal;
}

/** Merges `inputs` (in order) into the DOCX at `outPath` (written as `<outPath>.part`, then renamed). */
export async function mergeDocx(
  outPath: string,
  base: Buffer,
  inputs: AsyncIterable<Buffer>,
  opts: MergeOptions,
): Promise<{ path: string; size: number; inputs: number }> {
  const baseZip = await JSZip.loadAsync(base);
  const baseDoc = await baseZip.file('word/document.xml')!.async('string');
  const rootStart = /<w:document\b[^>]*>/.exec(baseDoc)?.[0];
  if (!rootStart) throw new Error('the base package has no <w:document>');

  const bodyPath = join(tmpdir(), `gongwen-merge-${randomUUID()}.xml`);
  const body = createWriteStream(bodyPath);
  const write = async (s: string) => {
    if (!body.write(s)) await once(body, 'drain');
  };
  const docRels: Rel[] = [];
  const parts = new Map<string, { path: string; data: Buffer; contentType?: string }>(); // by content hash
  const partRels = new Map<string, string>(); // part path → its rels xml
  let relSeq = 0;
  const nextRelId = () => `rIdM${++relSeq}`;
  let partSeq = 0;

  /** Copies a part (and, recursively, what its own relationships point at) into the output; returns its new path. */
  async function copyPart(src: JSZip, path: string, kind: 'header' | 'footer' | 'media'): Promise<string> {
    const file = src.file(path);
    if (!file) throw new Error(`missing part ${path}`);
    let data: Buffer = await file.async('nodebuffer');
    const ownRels: Rel[] = [];
    if (kind !== 'media') {
      const relsFile = src.file(relsPathOf(path));
      const rels = parseRels(relsFile ? await relsFile.async('string') : null);
      if (rels.size) {
        let xml = data.toString('utf8');
        const map = new Map<string, string>();
        for (const r of rels.values()) {
          if (r.external || r.type !== REL_TYPES.image) {
            if (r.external) {
              map.set(r.id, r.id);
              ownRels.push(r);
            }
            continue;
          }
          const newPath = await copyPart(src, resolveTarget(path, r.target), 'media');
          map.set(r.id, r.id);
          ownRels.push({ ...r, target: newPath.slice('word/'.length).replace(/^media\//, 'media/') });
        }
        xml = xml.replace(/\br:(id|embed|link)="([^"]+)"/g, (m0, a, id) => (map.has(id) ? `r:${a}="${map.get(id)}"` : m0));
        data = Buffer.from(xml, 'utf8');
      }
    }
    const key = createHash('sha256').update(kind).update(data).update(JSON.stringify(ownRels)).digest('hex');
    const existing = parts.get(key);
    if (existing) return existing.path;
    const ext = path.slice(path.lastIndexOf('.'));
    const newPath = kind === 'media' ? `word/media/m${++partSeq}${ext}` : `word/${kind}${++partSeq}.xml`;
    parts.set(key, { path: newPath, data, contentType: kind === 'media' ? undefined : CT[kind] });
    if (ownRels.length)
      partRels.set(
        newPath,
        relsXml(ownRels.map((r) => ({ ...r, target: r.external ? r.target : r.target.replace(/^media\//, 'media/') }))),
      );
    return newPath;
  }

  let pendingSectPr: string | null = null;
  let pendingContent: string | null = null;
  let count = 0;
  try {
    await write(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${rootStart}<w:body>`);
    for await (const input of inputs) {
      if (opts.signal?.aborted) throw new Error('aborted');
      const zip = await JSZip.loadAsync(input);
      const xml = await zip.file('word/document.xml')!.async('string');
      const relsFile = zip.file('word/_rels/document.xml.rels');
      const rels = parseRels(relsFile ? await relsFile.async('string') : null);
      const start = xml.indexOf('<w:body>');
      const end = xml.lastIndexOf('</w:body>');
      if (start < 0 || end < 0) throw new Error(`input ${count + 1} has no body`);
      let inner = xml.slice(start + 8, end);
      const idMap = new Map<string, string>();
      for (const m of inner.matchAll(/\br:(?:id|embed|link)="([^"]+)"/g)) {
        const id = m[1];
        if (idMap.has(id)) continue;
        const r = rels.get(id);
        if (!r) continue;
        const newId = nextRelId();
        if (r.external) docRels.push({ ...r, id: newId });
        else if (r.type === REL_TYPES.header || r.type === REL_TYPES.footer) {
          const p = await copyPart(zip, resolveTarget('word/document.xml', r.target), r.type === REL_TYPES.header ? 'header' : 'footer');
          docRels.push({ id: newId, type: r.type, target: p.slice('word/'.length), external: false });
        } else if (r.type === REL_TYPES.image) {
          const p = await copyPart(zip, resolveTarget('word/document.xml', r.target), 'media');
          docRels.push({ id: newId, type: r.type, target: p.slice('word/'.length), external: false });
        } else continue;
        idMap.set(id, newId);
      }
      inner = inner.replace(/\br:(id|embed|link)="([^"]+)"/g, (m0, a, id) => (idMap.has(id) ? `r:${a}="${idMap.get(id)}"` : m0));
      const sect = inner.lastIndexOf('<w:sectPr');
      const content = sect >= 0 ? inner.slice(0, sect) : inner;
      let sectPr = sect >= 0 ? inner.slice(sect) : '<w:sectPr/>';
      // every input starts its page numbers at 1
      sectPr = /<w:pgNumType\b[^>]*\bw:start=/.test(sectPr)
        ? sectPr
        : /<w:pgNumType\b/.test(sectPr)
          ? sectPr.replace(/<w:pgNumType\b/, '<w:pgNumType w:start="1"')
          : sectPr;
      if (pendingContent !== null) await write(endSection(pendingContent, pendingSectPr!));
      pendingContent = content;
      pendingSectPr = sectPr;
      await opts.onInput?.(count);
      count++;
    }
    await write(`${pendingContent ?? ''}${pendingSectPr ?? '<w:sectPr/>'}</w:body></w:document>`);
    body.end();
    await once(body, 'finish');

    const zipOut = new ZipWriter(outPath);
    try {
      const overrides: [string, string][] = [['/word/document.xml', CT.document]];
      const shared: [string, Buffer][] = [];
      for (const [path, type, ct] of SHARED_PARTS) {
        const f = baseZip.file(path);
        if (!f) continue;
        shared.push([path, await f.async('nodebuffer')]);
        overrides.push([`/${path}`, ct]);
        docRels.push({ id: nextRelId(), type, target: path.slice('word/'.length), external: false });
      }
      for (const p of parts.values()) if (p.contentType) overrides.push([`/${p.path}`, p.contentType]);
      overrides.push(['/docProps/core.xml', 'application/vnd.openxmlformats-package.core-properties+xml']);
      overrides.push(['/docProps/app.xml', 'application/vnd.openxmlformats-officedocument.extended-properties+xml']);
      const contentTypes =
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/>' +
        '<Default Extension="jpeg" ContentType="image/jpeg"/><Default Extension="jpg" ContentType="image/jpeg"/>' +
        '<Default Extension="gif" ContentType="image/gif"/><Default Extension="emf" ContentType="image/x-emf"/>' +
        overrides.map(([p, c]) => `<Override PartName="${p}" ContentType="${c}"/>`).join('') +
        '</Types>';
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const core =
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" ' +
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
        `<dc:title>${xmlEscape(opts.title)}</dc:title><dc:creator>gongwen</dc:creator><cp:lastModifiedBy>gongwen</cp:lastModifiedBy>` +
        `<dcterms:created xsi:type="dcterms:W3CDTF">${now}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${now}</dcterms:modified></cp:coreProperties>`;
      const app =
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" ' +
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>gongwen</Application></Properties>';
      const rootRels = relsXml([
        { id: 'rId1', type: `${REL_NS}/officeDocument`, target: 'word/document.xml', external: false },
        {
          id: 'rId2',
          type: 'http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties',
          target: 'docProps/core.xml',
          external: false,
        },
        { id: 'rId3', type: `${REL_NS}/extended-properties`, target: 'docProps/app.xml', external: false },
      ]);
      await zipOut.add('[Content_Types].xml', contentTypes);
      await zipOut.add('_rels/.rels', rootRels);
      await zipOut.add('docProps/core.xml', core);
      await zipOut.add('docProps/app.xml', app);
      await zipOut.add('word/document.xml', createReadStream(bodyPath));
      await zipOut.add('word/_rels/document.xml.rels', relsXml(docRels));
      for (const [path, data] of shared) await zipOut.add(path, data);
      for (const p of parts.values()) await zipOut.add(p.path, p.data, { compress: !!p.contentType });
      for (const [path, xml] of partRels) await zipOut.add(relsPathOf(path), xml);
      const done = await zipOut.finish();
      return { ...done, inputs: count };
    } catch (e) {
      await zipOut.abort();
      throw e;
    }
  } finally {
    body.destroy();
    await rm(bodyPath, { force: true });
  }
}
