import JSZip from 'jszip';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { BagWriter } from './bagit.js';
import { ZipWriter } from './zip.js';

const sha = (alg: 'sha256' | 'sha512', b: Buffer | string) => createHash(alg).update(b).digest('hex');

/** Where the local header of the entry named `name` starts (the name is found after its 30-byte header). */
function headerOf(zip: Buffer, name: string): number {
  const at = zip.indexOf(Buffer.from(name)) - 30;
  expect(zip.readUInt32LE(at)).toBe(0x04034b50);
  return at;
}

/** `unzip -t`: an outside tool tests every entry's CRC and the central directory. */
function unzipTest(path: string) {
  const r = spawnSync('unzip', ['-t', '-qq', path], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('continuing a finished zip (the export adds its check report to the staged bag)', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'gw-zip-resume-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  const PAYLOAD: [string, Buffer][] = [
    ['items/0001-A/metadata.json', Buffer.from(JSON.stringify({ archivalNumber: 'A', pad: '公文'.repeat(3000) }))],
    ['items/0001-A/item.docx', randomBytes(5000)],
    ['items/0002-B/notes\nwith newline.txt', Buffer.from('x'.repeat(10000))],
    ['items/0002-B/empty.txt', Buffer.alloc(0)],
  ];
  const INFO = { sourceOrganization: '办公室', externalIdentifier: 'V1', extra: [['Bag-Software-Agent', 'test']] as [string, string][] };

  it('keeps the bag’s payload byte for byte, appends new payload, and writes tag files that cover all of it', async () => {
    const stage = join(tmp, 'bag.zip.stage');
    const out = join(tmp, 'bag.zip');
    const first = new BagWriter(stage, 'vol');
    await first.start();
    for (const [p, d] of PAYLOAD) await first.addPayload(p, d);
    await first.finish(INFO);
    const staged = await readFile(stage);

    const bag = await BagWriter.resume(out, stage, 'vol');
    expect(existsSync(stage)).toBe(false);
    const report = Buffer.from('{"outcome":"pass"}\n');
    await bag.addPayload('check-report.json', report);
    const done = await bag.finish(INFO);
    const final = await readFile(out);
    expect(done.size).toBe(final.length);
    expect(existsSync(`${out}.part`)).toBe(false);

    // bagit.txt and the payload are the stage's bytes, in place: not inflated and deflated again
    const cut = headerOf(staged, 'vol/bag-info.txt');
    expect(final.subarray(0, cut).equals(staged.subarray(0, cut))).toBe(true);
    expect(headerOf(final, 'vol/data/check-report.json')).toBe(cut);

    expect(unzipTest(out)).toEqual({ status: 0, out: '' });
    const zip = await JSZip.loadAsync(final, { checkCRC32: true });
    const names = Object.keys(zip.files).filter((n) => !zip.files[n].dir);
    expect(names).toEqual([
      'vol/bagit.txt',
      ...PAYLOAD.map(([p]) => `vol/data/${p}`),
      'vol/data/check-report.json',
      'vol/bag-info.txt',
      'vol/manifest-sha512.txt',
      'vol/manifest-sha256.txt',
      'vol/tagmanifest-sha512.txt',
      'vol/tagmanifest-sha256.txt',
    ]);
    const bytes = (n: string) => zip.file(`vol/${n}`)!.async('nodebuffer');
    const text = (n: string) => zip.file(`vol/${n}`)!.async('string');
    const all: [string, Buffer][] = [...PAYLOAD, ['check-report.json', report]];
    for (const [p, d] of all) expect(await bytes(`data/${p}`)).toEqual(d);
    const enc = (p: string) => `data/${p}`.replace(/\n/g, '%0A');
    expect(await text('manifest-sha256.txt')).toBe(all.map(([p, d]) => `${sha('sha256', d)}  ${enc(p)}\n`).join(''));
    expect(await text('manifest-sha512.txt')).toBe(all.map(([p, d]) => `${sha('sha512', d)}  ${enc(p)}\n`).join(''));
    const octets = all.reduce((n, [, d]) => n + d.length, 0);
    expect(await text('bag-info.txt')).toContain(`Payload-Oxum: ${octets}.${all.length}\n`);
    expect(done.payloadOxum).toBe(`${octets}.${all.length}`);
    for (const alg of ['sha256', 'sha512'] as const) {
      const lines = (await text(`tagmanifest-${alg}.txt`)).trim().split('\n');
      expect(lines.map((l) => l.split('  ')[1])).toEqual(['bagit.txt', 'bag-info.txt', 'manifest-sha512.txt', 'manifest-sha256.txt']);
      for (const l of lines) {
        const [h, n] = l.split('  ');
        expect({ n, h: sha(alg, await bytes(n)) }).toEqual({ n, h });
      }
    }
  });

  it('refuses a stage whose manifest does not list its payload, and leaves no .part behind', async () => {
    const stage = join(tmp, 'odd.zip.stage');
    const out = join(tmp, 'odd.zip');
    const w = new ZipWriter(stage);
    await w.add('vol/bagit.txt', 'BagIt-Version: 1.0\n');
    await w.add('vol/data/a.txt', 'a');
    await w.add('vol/data/b.txt', 'b');
    await w.add('vol/manifest-sha256.txt', `${sha('sha256', 'a')}  data/a.txt\n`);
    await w.add('vol/manifest-sha512.txt', `${sha('sha512', 'a')}  data/a.txt\n${sha('sha512', 'b')}  data/b.txt\n`);
    await w.finish();
    await expect(BagWriter.resume(out, stage, 'vol')).rejects.toThrow(/manifest-sha256.txt does not list the bag's payload/);
    expect(existsSync(`${out}.part`)).toBe(false);
  });

  it('continues a zip64 archive (records with zip64 extra fields, zip64 end of central directory)', async () => {
    const from = join(tmp, 'z64.zip.stage');
    const out = join(tmp, 'z64.zip');
    const z = new yazl.ZipFile();
    const data = [Buffer.from('one '.repeat(500)), randomBytes(2000), Buffer.from('dropped')];
    z.addBuffer(data[0], 'k/one.txt', { forceZip64Format: true });
    z.addReadStream(Readable.from([data[1]]), 'k/two.bin', { forceZip64Format: true, compress: false });
    z.addBuffer(data[2], 'x/dropped.txt', { forceZip64Format: true });
    z.end({ forceZip64Format: true, comment: '' });
    await pipeline(z.outputStream, createWriteStream(from));
    const z64 = Buffer.alloc(4);
    z64.writeUInt32LE(0x06064b50);
    expect((await readFile(from)).includes(z64)).toBe(true);
    const { zip, kept, read } = await ZipWriter.resume(out, from, { keep: (n) => n.startsWith('k/'), read: ['x/dropped.txt'] });
    expect(kept).toEqual([
      { name: 'k/one.txt', size: data[0].length },
      { name: 'k/two.bin', size: data[1].length },
    ]);
    expect(read.get('x/dropped.txt')).toEqual(data[2]);
    await zip.add('k/three.txt', 'three');
    await zip.finish();
    expect(unzipTest(out)).toEqual({ status: 0, out: '' });
    const j = await JSZip.loadAsync(await readFile(out), { checkCRC32: true });
    expect(Object.keys(j.files).filter((n) => !j.files[n].dir)).toEqual(['k/one.txt', 'k/two.bin', 'k/three.txt']);
    expect(await j.file('k/one.txt')!.async('nodebuffer')).toEqual(data[0]);
    expect(await j.file('k/two.bin')!.async('nodebuffer')).toEqual(data[1]);
    expect(await j.file('k/three.txt')!.async('string')).toBe('three');
  });

  it('refuses to keep entries that do not come first', async () => {
    const from = join(tmp, 'order.zip');
    const w = new ZipWriter(from);
    await w.add('a', 'a');
    await w.add('b', 'b');
    await w.finish();
    await expect(ZipWriter.resume(join(tmp, 'order-out.zip'), from, { keep: (n) => n === 'b' })).rejects.toThrow(
      /b follows entries that are not kept/,
    );
    await writeFile(join(tmp, 'not-a-zip'), 'hello');
    await expect(ZipWriter.resume(join(tmp, 'x.zip'), join(tmp, 'not-a-zip'), { keep: () => true })).rejects.toThrow(/not a zip/);
  });
});
