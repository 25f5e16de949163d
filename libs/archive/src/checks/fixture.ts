/**
 * A small, valid gongwen bag built in memory for the checks' tests and the benchmark: real DOCX (JSZip), real PDF
 * (pdf-lib), a real hash-chained audit trail and real Ed25519 signatures. Hooks change it before the manifests are
 * written (a producer's mistake) or after (tampering in transit).
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import JSZip from 'jszip';
import { PDFDocument } from 'pdf-lib';
import { archivalNumber, archivalNumberAscii, type ArchiveClass } from '../rules.js';
import { auditEventHash, signaturePayloadV1 } from './checks.js';
import { DOCX_MEDIA } from './formats.js';
import { dat46Xml } from './dat46.js';
import { sha256 } from './package.js';

export type BagFiles = Map<string, Buffer>;

const json = (v: unknown) => Buffer.from(JSON.stringify(v, null, 2) + '\n', 'utf8');

export async function minimalDocx(text: string): Promise<Buffer> {
  const z = new JSZip();
  z.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  z.file(
    'word/document.xml',
    `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:body></w:document>`,
  );
  return z.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

export async function minimalPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage([595, 842]);
  doc.setTitle('attachment');
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

export interface FixtureOptions {
  items?: number;
  cls?: ArchiveClass;
  /** First item number of the run (default 1). */
  firstItem?: number;
  before?: (files: BagFiles) => void | Promise<void>;
  after?: (files: BagFiles) => void | Promise<void>;
}

/** Paths of the n-th item's directory (1-based) in a fixture bag. */
export function fixtureItemDir(n: number, cls: ArchiveClass = DEFAULT_CLASS, firstItem = 1): string {
  return `data/items/${String(n).padStart(4, '0')}-${archivalNumberAscii(archivalNumber(cls, firstItem + n - 1))}`;
}

export const DEFAULT_CLASS: ArchiveClass = { fondsCode: '0194', year: 2026, retention: 'D30', unitCode: 'BGS' };

export async function fixtureBag(opts: FixtureOptions = {}): Promise<BagFiles> {
  const cls = opts.cls ?? DEFAULT_CLASS;
  const n = opts.items ?? 2;
  const first = opts.firstItem ?? 1;
  const files: BagFiles = new Map();
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const pdf = await minimalPdf();
  const register: { position: number; archivalNumber: string; id: string }[] = [];
  for (let i = 1; i <= n; i++) {
    const an = archivalNumber(cls, first + i - 1);
    const dir = fixtureItemDir(i, cls, first);
    const documentId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const docx = await minimalDocx(`关于做好第${i}项工作的通知`);
    const revisionHash = sha256(`revision ${i}`);
    const signedAt = `${cls.year}-03-0${(i % 9) + 1}T02:00:00.000Z`;
    const sig = {
      id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      document_id: documentId,
      signer_id: 'chief',
      issuer_unit_id: 'unit-1',
      role: 'signer',
      revision_number: 1,
      revision_hash: revisionHash,
      signed_at: signedAt,
      voided_at: null,
      public_key: publicPem,
      signature: '',
    };
    sig.signature = sign(
      null,
      Buffer.from(
        signaturePayloadV1({
          documentId,
          revisionHash,
          revisionNumber: 1,
          signerId: 'chief',
          role: 'signer',
          issuerUnitId: 'unit-1',
          signedAt,
        }),
      ),
      privateKey,
    ).toString('base64');
    const events: Record<string, unknown>[] = [];
    let prev: string | null = null;
    for (const [seq, type, from, to] of [
      [1, 'CREATE', null, 'drafting'],
      [2, 'SIGN', 'signing', 'registration'],
      [3, 'FILE', 'archiving', 'archived'],
    ] as const) {
      const e: Record<string, unknown> = {
        seq,
        eventType: type,
        actor: { id: 'chief', name: '王主任', roles: ['signer'] },
        fromState: from,
        toState: to,
        reason: null,
        revisionNumber: 1,
        revisionHash,
        at: `${cls.year}-03-0${(i % 9) + 1}T0${seq}:00:00.000Z`,
        payload: { type },
        prevHash: prev,
      };
      e.hash = auditEventHash(documentId, e);
      prev = e.hash as string;
      events.push(e);
    }
    const content = [
      { name: 'item.docx', role: 'item', mediaType: DOCX_MEDIA, data: docx },
      { name: 'attachment-1.pdf', role: 'attachment', mediaType: 'application/pdf', data: pdf },
    ];
    for (const f of content) files.set(`${dir}/${f.role === 'attachment' ? 'attachments/' : ''}${f.name}`, f.data);
    files.set(
      `${dir}/metadata.json`,
      json({
        archivalNumber: an,
        status: 'ready',
        pageCount: 1,
        filedAt: `${cls.year}-03-10T01:00:00.000Z`,
        metadata: {
          archivalNumber: an,
          fondsCode: cls.fondsCode,
          fondsName: '某区委办公室',
          recordClass: 'WS',
          year: cls.year,
          retention: cls.retention,
          unitCode: cls.unitCode,
          unitName: '办公室',
          itemNumber: first + i - 1,
          documentId,
          kind: '通知',
          title: `关于做好第${i}项工作的通知`,
          documentNumber: `某办发〔${cls.year}〕${i}号`,
          author: '某区委办公室',
          date: `${cls.year}-03-0${(i % 9) + 1}`,
          classification: 'none',
          signatures: [{ signerId: 'chief', issuerUnitId: 'unit-1', revisionNumber: 1, revisionHash, at: signedAt }],
          revision: { number: 1, hash: revisionHash },
          filedBy: { id: 'archivist', name: '林档案员' },
          filedAt: `${cls.year}-03-10T01:00:00.000Z`,
          format: 'DOCX（GB/T 9704 版式）',
          creatingSoftware: 'gongwen 0.1.0',
        },
        files: content.map((f) => ({ name: f.name, role: f.role, mediaType: f.mediaType, size: f.data.length, sha256: sha256(f.data) })),
      }),
    );
    const meta = JSON.parse(files.get(`${dir}/metadata.json`)!.toString('utf8'));
    files.set(`${dir}/metadata.xml`, Buffer.from(dat46Xml({ item: meta, events: events as never, signatures: [sig] }), 'utf8'));
    files.set(`${dir}/revisions.json`, json([{ number: 1, hash: revisionHash }]));
    files.set(`${dir}/audit-trail.json`, json({ algorithm: 'sha256', chainVerified: true, events }));
    files.set(`${dir}/signatures.json`, json({ workflow: [{ signerId: 'chief' }], cryptographic: [sig] }));
    files.set(`${dir}/processing-record.json`, json({ steps: [] }));
    register.push({ position: i, archivalNumber: an, id: documentId });
  }
  files.set('data/catalogue/catalogue.csv', Buffer.from('序号,档号\n', 'utf8'));
  files.set('data/volume.json', json({ number: 'H001', title: '测试盒', items: register }));
  await opts.before?.(files);
  finishBag(files);
  await opts.after?.(files);
  return files;
}

/** Writes bagit.txt, bag-info.txt and the manifests over the payload as it is now. */
export function finishBag(files: BagFiles): void {
  for (const k of [...files.keys()]) if (!k.startsWith('data/')) files.delete(k);
  const payload = [...files].filter(([k]) => k.startsWith('data/'));
  const bytes = payload.reduce((s, [, b]) => s + b.length, 0);
  files.set('bagit.txt', Buffer.from('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n'));
  files.set(
    'bag-info.txt',
    Buffer.from(`Source-Organization: 某区委办公室\nPayload-Oxum: ${bytes}.${payload.length}\nBag-Software-Agent: gongwen 0.1.0\n`),
  );
  files.set('manifest-sha256.txt', Buffer.from(payload.map(([k, b]) => `${sha256(b)}  ${k}`).join('\n') + '\n'));
  files.set(
    'tagmanifest-sha256.txt',
    Buffer.from(['bagit.txt', 'bag-info.txt', 'manifest-sha256.txt'].map((k) => `${sha256(files.get(k)!)}  ${k}`).join('\n') + '\n'),
  );
}
