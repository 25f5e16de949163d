import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { ZipWriter } from '../zip.js';
import { DOCX_MEDIA, OFD_MEDIA } from './formats.js';
import { DEFAULT_CLASS, fixtureBag, fixtureItemDir, type BagFiles } from './fixture.js';
import { RecordPackage, memorySource, sha256, zipSource } from './package.js';
import { runChecks, type CheckReport } from './engine.js';
import { checkReportJsonChunks } from './report.js';
import { archivalNumber } from '../rules.js';
import './checks.js';
import { createRootAuthority } from '#gongwen/seal';
import { sealedNoticeOfd } from '#gongwen/seal/fixtures';

const d1 = fixtureItemDir(1);
const d2 = fixtureItemDir(2);

async function check(files: BagFiles): Promise<CheckReport> {
  return runChecks(new RecordPackage(memorySource(files), 'test'), { scanner: null });
}

/** Every result of a check, package-level and per item. */
function outcomes(r: CheckReport, id: string): string[] {
  return [...r.packageResults, ...r.itemReports.flatMap((i) => i.results)].filter((x) => x.check === id).map((x) => x.outcome);
}
const failed = (r: CheckReport, id: string) => outcomes(r, id).includes('fail');
const failedChecks = (r: CheckReport) =>
  [
    ...new Set([...r.packageResults, ...r.itemReports.flatMap((i) => i.results)].filter((x) => x.outcome === 'fail').map((x) => x.check)),
  ].sort();

function metadataOf(files: BagFiles, dir: string): any {
  return JSON.parse(files.get(`${dir}/metadata.json`)!.toString('utf8'));
}
function setMetadata(files: BagFiles, dir: string, m: any): void {
  files.set(`${dir}/metadata.json`, Buffer.from(JSON.stringify(m, null, 2)));
}
/** Replaces a content file and declares it correctly in metadata.json (so only the format-level checks see it). */
function replaceDeclared(files: BagFiles, dir: string, rel: string, data: Buffer, mediaType?: string): void {
  files.set(`${dir}/${rel}`, data);
  const m = metadataOf(files, dir);
  const name = rel.replace(/^attachments\//, '');
  const f = m.files.find((x: any) => x.name === name);
  if (f) Object.assign(f, { size: data.length, sha256: sha256(data), ...(mediaType ? { mediaType } : {}) });
  else
    m.files.push({
      name,
      role: rel.startsWith('attachments/') ? 'attachment' : 'original',
      mediaType,
      size: data.length,
      sha256: sha256(data),
    });
  setMetadata(files, dir, m);
}

/** Sets the encryption flag (general purpose bit 0) on every entry of a zip, in local and central headers. */
function flagEncrypted(zip: Buffer): Buffer {
  const out = Buffer.from(zip);
  for (let i = 0; i + 4 <= out.length; i++) {
    const sig = out.readUInt32LE(i);
    if (sig === 0x04034b50) out.writeUInt16LE(out.readUInt16LE(i + 6) | 1, i + 6);
    if (sig === 0x02014b50) out.writeUInt16LE(out.readUInt16LE(i + 8) | 1, i + 8);
  }
  return out;
}

async function ofd(withSeal: boolean): Promise<Buffer> {
  const z = new JSZip();
  z.file(
    'OFD.xml',
    `<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:Title>关于做好工作的通知</ofd:Title></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>${withSeal ? '<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>' : ''}</ofd:DocBody></ofd:OFD>`,
  );
  z.file(
    'Doc_0/Document.xml',
    '<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CommonData><ofd:MaxUnitID>1</ofd:MaxUnitID></ofd:CommonData><ofd:Pages/></ofd:Document>',
  );
  if (withSeal)
    z.file(
      'Doc_0/Signs/Signatures.xml',
      '<?xml version="1.0" encoding="UTF-8"?><ofd:Signatures xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Signature ID="1" BaseLoc="Sign_0/Signature.xml"/></ofd:Signatures>',
    );
  return z.generateAsync({ type: 'nodebuffer' });
}

describe('四性检测: the check engine on a gongwen bag', () => {
  let base: CheckReport;
  beforeAll(async () => {
    base = await check(await fixtureBag({ items: 3 }));
  });

  it('passes a well-formed package: nothing fails, the virus scan without a scanner is not run (never passed), no seals is not applicable', () => {
    expect(failedChecks(base)).toEqual([]);
    expect(base.items).toBe(3);
    expect(outcomes(base, 'security.virus_scan')[0]).toBe('not_run');
    expect(outcomes(base, 'authenticity.seals')).toEqual(['not_applicable', 'not_applicable', 'not_applicable']);
    expect(base.outcome).toBe('not_run');
    for (const id of [
      'authenticity.fixity',
      'authenticity.manifest',
      'authenticity.audit_chain',
      'authenticity.signatures',
      'authenticity.metadata_format',
      'authenticity.archival_number',
      'authenticity.archival_number_unique',
      'authenticity.file_attributes',
      'authenticity.package_structure',
      'integrity.required_metadata',
      'integrity.dat46_metadata',
      'integrity.register_counts',
      'integrity.item_number_gaps',
      'integrity.files_present',
      'usability.metadata_readable',
      'usability.opens',
      'usability.allowed_formats',
      'usability.no_encryption',
      'usability.environment',
      'security.only_expected',
    ])
      expect([id, outcomes(base, id).every((o) => o === 'pass'), outcomes(base, id).length > 0]).toEqual([id, true, true]);
    const opened = base.itemReports[0].results.find((r) => r.check === 'usability.opens')!;
    expect(opened.evidence.map((e) => e.found).join(' ')).toMatch(/DOCX.*PDF，1 页/);
  });

  it('the report streamed as JSON chunks is byte for byte JSON.stringify(report, null, 2) + newline', () => {
    const whole = JSON.stringify(base, null, 2) + '\n';
    for (const per of [1, 2, 50]) {
      const chunks = [...checkReportJsonChunks(base, per)];
      expect(Buffer.concat(chunks).toString('utf8')).toBe(whole);
      if (per === 1) expect(chunks.length).toBe(base.itemReports.length + 1);
    }
    // no item reports, a field left undefined, an item that JSON cannot hold, text that needs escaping
    const odd = { ...base, package: '包 "引号"\n换行', itemReports: [] } as CheckReport;
    expect(Buffer.concat([...checkReportJsonChunks(odd)]).toString('utf8')).toBe(JSON.stringify(odd, null, 2) + '\n');
    const holes = { ...base, finishedAt: undefined, itemReports: [base.itemReports[0], undefined] } as unknown as CheckReport;
    expect(Buffer.concat([...checkReportJsonChunks(holes)]).toString('utf8')).toBe(JSON.stringify(holes, null, 2) + '\n');
  });

  it('a changed byte of content: fixity and the manifest fail for that item only', async () => {
    const r = await check(
      await fixtureBag({
        items: 3,
        after: (f) => {
          const b = Buffer.from(f.get(`${d2}/attachments/attachment-1.pdf`)!);
          b[b.length - 20] ^= 0x01;
          f.set(`${d2}/attachments/attachment-1.pdf`, b);
        },
      }),
    );
    expect(failedChecks(r)).toEqual(['authenticity.fixity', 'authenticity.manifest']);
    const bad = r.itemReports.filter((i) => i.outcome === 'fail').map((i) => i.subject);
    expect(bad).toEqual([archivalNumber(DEFAULT_CLASS, 2)]);
    const ev = r.itemReports[1].results.find((x) => x.check === 'authenticity.fixity')!.evidence[0];
    expect(ev.expected).not.toBe(ev.found);
  });

  it('a metadata value out of range (year 1800) fails the metadata format check', async () => {
    const r = await check(
      await fixtureBag({
        before: (f) => {
          const m = metadataOf(f, d1);
          m.metadata.year = 1800;
          setMetadata(f, d1, m);
        },
      }),
    );
    expect(failed(r, 'authenticity.metadata_format')).toBe(true);
    expect(r.itemReports[0].results.find((x) => x.check === 'authenticity.metadata_format')!.evidence.map((e) => e.measured)).toContain(
      'year',
    );
  });

  it('an illegal character (U+0001) in the title fails the metadata format check', async () => {
    const r = await check(
      await fixtureBag({
        before: (f) => {
          const m = metadataOf(f, d1);
          m.metadata.title = '关于\u0001通知';
          setMetadata(f, d1, m);
        },
      }),
    );
    expect(failedChecks(r)).toEqual(['authenticity.metadata_format']);
  });

  it('a required element missing (责任者) fails the required-metadata check', async () => {
    const r = await check(
      await fixtureBag({
        before: (f) => {
          const m = metadataOf(f, d1);
          delete m.metadata.author;
          setMetadata(f, d1, m);
        },
      }),
    );
    expect(failedChecks(r)).toEqual(['integrity.required_metadata']);
  });

  it('an archival number off its pattern fails the archival-number check', async () => {
    const r = await check(
      await fixtureBag({
        before: (f) => {
          const m = metadataOf(f, d1);
          m.archivalNumber = '0194-WS-2026-D30-BGS-1';
          setMetadata(f, d1, m);
        },
      }),
    );
    expect(failed(r, 'authenticity.archival_number')).toBe(true);
  });

  it('a duplicate archival number fails uniqueness (and, on receipt, one the archive already holds)', async () => {
    const r = await check(
      await fixtureBag({
        items: 2,
        before: (f) => {
          const copy = 'data/items/0003-0194-WS.2026-D30-BGS-0002';
          for (const [k, v] of [...f]) if (k.startsWith(`${d2}/`)) f.set(k.replace(d2, copy), v);
          const vol = JSON.parse(f.get('data/volume.json')!.toString());
          vol.items.push({ position: 3, archivalNumber: archivalNumber(DEFAULT_CLASS, 2), id: 'x' });
          f.set('data/volume.json', Buffer.from(JSON.stringify(vol)));
        },
      }),
    );
    expect(failed(r, 'authenticity.archival_number_unique')).toBe(true);
    const held = await runChecks(new RecordPackage(memorySource(await fixtureBag()), 't'), {
      existingArchivalNumbers: new Set([archivalNumber(DEFAULT_CLASS, 1)]),
    });
    expect(failedChecks(held)).toEqual(['authenticity.archival_number_unique']);
  });

  it('a gap in 件号 fails the item-number check', async () => {
    const r = await check(
      await fixtureBag({
        items: 3,
        before: (f) => {
          for (const k of [...f.keys()]) if (k.startsWith(`${d2}/`)) f.delete(k);
          const vol = JSON.parse(f.get('data/volume.json')!.toString());
          vol.items = vol.items.filter((i: any) => i.position !== 2);
          f.set('data/volume.json', Buffer.from(JSON.stringify(vol)));
        },
      }),
    );
    expect(failedChecks(r)).toEqual(['integrity.item_number_gaps']);
    expect(r.packageResults.find((x) => x.check === 'integrity.item_number_gaps')!.evidence[0].found).toBe('缺 0002');
  });

  it('a missing file fails file presence; the register listing an item not in the package fails the counts', async () => {
    const r = await check(await fixtureBag({ before: (f) => void f.delete(`${d1}/attachments/attachment-1.pdf`) }));
    expect(failedChecks(r)).toEqual(['integrity.files_present']);
    const r2 = await check(
      await fixtureBag({
        before: (f) => {
          const vol = JSON.parse(f.get('data/volume.json')!.toString());
          vol.items.push({ position: 3, archivalNumber: archivalNumber(DEFAULT_CLASS, 3), id: 'x' });
          f.set('data/volume.json', Buffer.from(JSON.stringify(vol)));
        },
      }),
    );
    expect(failedChecks(r2)).toEqual(['integrity.register_counts']);
  });

  it('a file added in transit fails the manifest and only-expected checks; Payload-Oxum tells the bytes', async () => {
    const r = await check(await fixtureBag({ after: (f) => void f.set(`${d1}/notes.txt`, Buffer.from('hello')) }));
    expect(failedChecks(r)).toEqual(['authenticity.manifest', 'integrity.register_counts', 'security.only_expected']);
    const r2 = await check(await fixtureBag({ before: (f) => void f.set(`${d1}/notes.txt`, Buffer.from('hello')) }));
    expect(failedChecks(r2)).toEqual(['security.only_expected']);
  });

  it('an encrypted DOCX (its zip entries flagged encrypted) fails the encryption and opening checks', async () => {
    const r = await check(
      await fixtureBag({
        before: (f) => replaceDeclared(f, d1, 'item.docx', flagEncrypted(f.get(`${d1}/item.docx`)!)),
      }),
    );
    expect(failedChecks(r)).toEqual(['usability.no_encryption', 'usability.opens']);
    const ole = await check(
      await fixtureBag({
        before: (f) => replaceDeclared(f, d1, 'item.docx', Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)])),
      }),
    );
    expect(failedChecks(ole)).toEqual(['usability.no_encryption', 'usability.opens']);
  });

  it('a PDF that does not parse fails opening (parsed with pdf-lib, not sniffed: the header is intact)', async () => {
    const r = await check(
      await fixtureBag({
        before: (f) => {
          const pdf = f.get(`${d1}/attachments/attachment-1.pdf`)!;
          replaceDeclared(f, d1, 'attachments/attachment-1.pdf', pdf.subarray(0, 40));
        },
      }),
    );
    expect(failedChecks(r)).toEqual(['usability.opens']);
  });

  it('a DOCX whose document.xml is not well-formed fails opening', async () => {
    const r = await check(
      await fixtureBag({
        before: async (f) => {
          const z = await JSZip.loadAsync(f.get(`${d1}/item.docx`)!);
          z.file('word/document.xml', '<w:document><w:body></w:document>');
          replaceDeclared(f, d1, 'item.docx', await z.generateAsync({ type: 'nodebuffer' }));
        },
      }),
    );
    expect(failedChecks(r)).toEqual(['usability.opens']);
  });

  it('a format outside the allowed list fails the format check', async () => {
    const r = await check(
      await fixtureBag({
        before: (f) => replaceDeclared(f, d1, 'attachments/tool.exe', Buffer.from('MZ\x90\x00'), 'application/x-msdownload'),
      }),
    );
    expect(failedChecks(r)).toEqual(['usability.allowed_formats']);
  });

  it('a media type that does not match the file fails the file-attributes check', async () => {
    const r = await check(
      await fixtureBag({
        before: (f) => {
          const m = metadataOf(f, d1);
          m.files[1].mediaType = DOCX_MEDIA;
          setMetadata(f, d1, m);
        },
      }),
    );
    expect(failedChecks(r)).toEqual(['authenticity.file_attributes']);
  });

  it('an altered audit event breaks the hash chain', async () => {
    const r = await check(
      await fixtureBag({
        before: (f) => {
          const t = JSON.parse(f.get(`${d1}/audit-trail.json`)!.toString());
          t.events[1].reason = '改过';
          f.set(`${d1}/audit-trail.json`, Buffer.from(JSON.stringify(t)));
        },
      }),
    );
    expect(failedChecks(r)).toEqual(['authenticity.audit_chain']);
  });

  it('a signature over another revision does not verify (Ed25519)', async () => {
    const r = await check(
      await fixtureBag({
        before: (f) => {
          const s = JSON.parse(f.get(`${d1}/signatures.json`)!.toString());
          s.cryptographic[0].revision_hash = sha256('another revision');
          f.set(`${d1}/signatures.json`, Buffer.from(JSON.stringify(s)));
        },
      }),
    );
    expect(failedChecks(r)).toEqual(['authenticity.signatures']);
  });

  it('a DA/T 46 record with a value outside its type (年度 12) fails the schema validation; a missing one fails too', async () => {
    const r = await check(
      await fixtureBag({
        before: (f) =>
          void f.set(`${d1}/metadata.xml`, Buffer.from(f.get(`${d1}/metadata.xml`)!.toString().replace('<年度>2026', '<年度>12'))),
      }),
    );
    expect(failedChecks(r)).toEqual(['integrity.dat46_metadata']);
    expect(r.itemReports[0].results.find((x) => x.check === 'integrity.dat46_metadata')!.evidence[0].found).toMatch(/年度/);
    expect(r.itemReports[1].results.find((x) => x.check === 'integrity.dat46_metadata')!.outcome).toBe('pass');
    const missing = await check(await fixtureBag({ before: (f) => void f.delete(`${d1}/metadata.xml`) }));
    expect(failedChecks(missing)).toEqual(['integrity.dat46_metadata']);
  });

  it('missing environment metadata (creating software) fails the environment check', async () => {
    const r = await check(
      await fixtureBag({
        before: (f) => {
          const m = metadataOf(f, d1);
          m.metadata.creatingSoftware = '';
          setMetadata(f, d1, m);
        },
      }),
    );
    expect(failedChecks(r)).toEqual(['usability.environment']);
  });

  it("a foreign package's OFD is opened as a zip and its OFD.xml parsed; an OFD listing a seal it does not hold fails the seal check", async () => {
    const plain = await check(
      await fixtureBag({ before: async (f) => replaceDeclared(f, d1, 'attachments/scan.ofd', await ofd(false), OFD_MEDIA) }),
    );
    expect(failedChecks(plain)).toEqual([]);
    expect(plain.itemReports[0].results.find((x) => x.check === 'usability.opens')!.evidence.map((e) => e.found)).toContain(
      'OFD，1 个文档，0 个签章',
    );
    expect(outcomes(plain, 'authenticity.seals')[0]).toBe('not_applicable');
    const sealed = await check(
      await fixtureBag({ before: async (f) => replaceDeclared(f, d1, 'attachments/scan.ofd', await ofd(true), OFD_MEDIA) }),
    );
    expect(outcomes(sealed, 'authenticity.seals')).toEqual(['fail', 'not_applicable']);
    const broken = await check(
      await fixtureBag({
        before: async (f) => {
          const z = await JSZip.loadAsync(await ofd(false));
          z.remove('Doc_0/Document.xml');
          replaceDeclared(f, d1, 'attachments/scan.ofd', await z.generateAsync({ type: 'nodebuffer' }), OFD_MEDIA);
        },
      }),
    );
    expect(failedChecks(broken)).toEqual(['usability.opens']);
  });

  it('a broken seal: one byte changed in a sealed OFD fails the seal check naming the seal and the part; the untouched one passes', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const ca = createRootAuthority('gongwen 测试证书中心', t0);
    const sealedOfd = await sealedNoticeOfd(ca, { name: '某区委办公室', esId: 'GW-TEST-0001', from: t0 });
    const part = 'Doc_0/Pages/Page_0/Content.xml';
    const z = await JSZip.loadAsync(sealedOfd);
    const content = Buffer.from(await z.file(part)!.async('uint8array'));
    const i = content.indexOf('>', content.length >> 1) + 1;
    content[i] = content[i] === 0x30 ? 0x31 : 0x30; // one byte of text, the XML stays well-formed
    z.file(part, content);
    const tamperedOfd = await z.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    const bag = await fixtureBag({
      before: (b) => {
        replaceDeclared(b, d1, 'original-sealed.ofd', sealedOfd, OFD_MEDIA);
        replaceDeclared(b, d2, 'original-sealed.ofd', tamperedOfd, OFD_MEDIA);
      },
    });
    const roots = [ca.certificate];
    const r = await runChecks(new RecordPackage(memorySource(bag), 'sealed'), { scanner: null, sealRoots: roots });
    expect(outcomes(r, 'authenticity.seals')).toEqual(['pass', 'fail']);
    expect(failedChecks(r)).toEqual(['authenticity.seals']); // the file is declared and hashed as it is: only the seal sees it
    const [good, bad] = r.itemReports.map((x) => x.results.find((y) => y.check === 'authenticity.seals')!.evidence[0]);
    expect(good.measured).toContain('某区委办公室（GW-TEST-0001）');
    expect(good.found).toMatch(/^验证通过/);
    expect(bad.measured).toContain('original-sealed.ofd 的电子签章 某区委办公室（GW-TEST-0001）');
    expect(bad.found).toContain(`签名后被改动（摘要不符）（${part}: digest）`);
    // the same intact seal checked by a deployment that does not trust its root
    const foreign = await runChecks(new RecordPackage(memorySource(bag), 'sealed'), { scanner: null, sealRoots: [] });
    expect(outcomes(foreign, 'authenticity.seals')).toEqual(['fail', 'fail']);
    expect(foreign.itemReports[0].results.find((y) => y.check === 'authenticity.seals')!.evidence[0].found).toContain(
      'signer-certificate-untrusted',
    );
  });

  it('reads the same bag serialised as a zip (one top-level directory) with the same results', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-checks-'));
    try {
      const files = await fixtureBag({ items: 3 });
      const w = new ZipWriter(join(dir, 'bag.zip'));
      for (const [k, v] of files) await w.add(`volume-H001/${k}`, v);
      await w.finish();
      const r = await runChecks(new RecordPackage(await zipSource(join(dir, 'bag.zip')), 'bag.zip'), { scanner: null });
      expect(failedChecks(r)).toEqual([]);
      expect(r.counts).toEqual(base.counts);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
