import { randomBytes } from 'node:crypto';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipWriter } from '../zip.js';
import { RecordPackage, zipSource } from './package.js';
import { Spool } from './spool.js';

const dir = 'data/items/0001-X';
const FILES: [string, Buffer, boolean][] = [
  [`${dir}/metadata.json`, Buffer.from(JSON.stringify({ archivalNumber: 'X', pad: 'x'.repeat(5000) })), true],
  [`${dir}/stored.bin`, randomBytes(3000), false],
  [`${dir}/deflated.txt`, Buffer.from('公文'.repeat(4000)), true],
  [`${dir}/empty.txt`, Buffer.alloc(0), true],
  [`${dir}/attachments/a.json`, Buffer.from('{"a":1}'), true],
  ['data/volume.json', Buffer.from('{"items":[]}'), true],
];

async function writeZip(path: string): Promise<void> {
  const w = new ZipWriter(path);
  await w.add('bag/bagit.txt', Buffer.from('BagIt-Version: 1.0\n'));
  for (const [name, data, compress] of FILES) await w.add(`bag/${name}`, data, { compress });
  await w.finish();
}

/** Where an entry's data starts in the zip (after its local header, found by its name). */
function dataStart(zip: Buffer, name: string): { header: number; data: number } {
  const at = zip.indexOf(Buffer.from(`bag/${name}`));
  const header = at - 30;
  expect(zip.readUInt32LE(header)).toBe(0x04034b50);
  return { header, data: at + zip.readUInt16LE(header + 26) + zip.readUInt16LE(header + 28) };
}

describe('a zip package read an item at a time', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'gw-package-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('reads an item in one go with the same bytes as entry by entry (stored, deflated, empty)', async () => {
    const path = join(tmp, 'ok.zip');
    await writeZip(path);
    const source = await zipSource(path);
    try {
      const names = FILES.map(([n]) => n);
      const many = await source.readMany!(names);
      for (const [name, data] of FILES) {
        expect(many.get(name)).toEqual(data);
        expect(await source.read(name)).toEqual(data);
      }
      expect((await source.readMany!(['data/none']))!.get('data/none')).toBeInstanceOf(Error);
    } finally {
      await source.close();
    }
  });

  it('a damaged entry is unreadable with a reason, as when yauzl streams it; the item’s other files are read', async () => {
    const good = join(tmp, 'good.zip');
    await writeZip(good);
    const zip = await readFile(good);
    // deflated data overwritten (0xFF: a reserved block type) and a local header's signature broken
    const deflated = dataStart(zip, `${dir}/deflated.txt`);
    zip.fill(0xff, deflated.data, deflated.data + 16);
    zip.write('XX', dataStart(zip, `${dir}/attachments/a.json`).header, 'latin1');
    const path = join(tmp, 'bad.zip');
    await writeFile(path, zip);
    const pkg = new RecordPackage(await zipSource(path), 'bad.zip');
    try {
      const item = await pkg.loadItem(dir);
      expect([...item.unreadable.keys()].sort()).toEqual(['attachments/a.json', 'deflated.txt']);
      expect(item.unreadable.get('attachments/a.json')).toMatch(/invalid local file header signature/);
      expect([...item.files.keys()].sort()).toEqual(['empty.txt', 'metadata.json', 'stored.bin']);
      expect(item.files.get('stored.bin')).toEqual(FILES[1][1]);
      expect(item.subject).toBe('X');
      // yauzl's own reading refuses the same entries
      await expect(pkg.source.read(`${dir}/deflated.txt`)).rejects.toThrow();
      await expect(pkg.source.read(`${dir}/attachments/a.json`)).rejects.toThrow(/invalid local file header signature/);
      // the digests are those of what was read
      expect(pkg.computed.has(`${dir}/stored.bin`)).toBe(true);
      expect(pkg.computed.has(`${dir}/deflated.txt`)).toBe(false);
    } finally {
      await pkg.close();
    }
  });

  it('spools files in one append-only file and reads them back, whole or in pieces', async () => {
    const spool = await Spool.create();
    try {
      spool.write(FILES.map(([n, d]) => [n, d]));
      spool.write([['later', Buffer.from('after')]]);
      for (const [name, data] of FILES) {
        expect(spool.read(name)).toEqual(data);
        expect(spool.size(name)).toBe(data.length);
        expect(Buffer.concat([...spool.chunks(name, 1000)])).toEqual(data);
      }
      expect([...spool.chunks(`${dir}/stored.bin`, 1000)].map((c) => c.length)).toEqual([1000, 1000, 1000]);
      expect(spool.read('later')!.toString()).toBe('after');
      expect(spool.read('absent')).toBeNull();
    } finally {
      await spool.remove();
    }
    expect(() => spool.read('later')).toThrow();
  });
});
