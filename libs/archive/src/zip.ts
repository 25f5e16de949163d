/**
 * A zip written entry by entry to a file on disk with yazl, in bounded memory: `add` resolves only once yazl has
 * consumed the entry, and yazl only reads as fast as the file takes the bytes. The archive is written to
 * `<path>.part` and renamed to `<path>` on `finish`, so a reader never sees a half-written file and a crashed
 * writer leaves only a `.part` that the next attempt overwrites.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { inflateRawSync } from 'node:zlib';
import yazl from 'yazl';

export interface EntryResult {
  size: number;
  sha256: string;
  sha512: string;
}

export type EntrySource = Buffer | string | Readable | (() => AsyncIterable<Buffer | string>);

export class ZipWriter {
  private readonly zip = new yazl.ZipFile();
  private readonly out: WriteStream;
  private readonly written: Promise<void>;
  private failure: Error | null = null;
  /** The entry being written, destroyed if the archive fails (so that `add` rejects). */
  private current: PassThrough | null = null;
  private readonly failed: Promise<never>;
  readonly partPath: string;
  readonly mtime: Date;

  constructor(
    readonly path: string,
    opts: { mtime?: Date; resume?: { offset: number; central: Buffer[] } } = {},
  ) {
    this.partPath = `${path}.part`;
    this.mtime = opts.mtime ?? new Date();
    if (opts.resume) {
      // the first entries are in the .part file already (see ZipWriter.resume): yazl writes on from their end, with
      // offsets counted from the file's start, and lists their central directory records, as they were, before its own
      const { offset, central } = opts.resume;
      const z = this.zip as unknown as { outputStreamCursor: number; entries: unknown[] };
      if (z.outputStreamCursor !== 0 || z.entries.length !== 0) throw new Error('yazl: unexpected ZipFile state');
      z.outputStreamCursor = offset;
      for (const record of central) z.entries.push(keptEntry(record));
      this.out = createWriteStream(this.partPath, { flags: 'r+', start: offset });
    } else this.out = createWriteStream(this.partPath);
    let fail!: (e: Error) => void;
    this.failed = new Promise<never>((_, rej) => {
      fail = rej;
    });
    this.failed.catch(() => undefined);
    const onError = (e: Error) => {
      this.failure ??= e;
      fail(e);
      this.current?.destroy(e);
    };
    this.zip.on('error', onError);
    this.written = pipeline(this.zip.outputStream as unknown as Readable, this.out).catch((e: Error) => {
      onError(e);
      throw e;
    });
    this.written.catch(() => undefined);
  }

  /**
   * Continues a zip that a ZipWriter wrote, without reading its data again: the file `from` becomes `<path>.part`,
   * cut after its leading entries for which `keep(name)` holds (their bytes and central directory records stay as
   * they are, not inflated and deflated again); the entries added next follow them. Entries named in `read` are
   * read (inflated) before the cut. `from` is consumed (renamed).
   */
  static async resume(
    path: string,
    from: string,
    opts: { keep: (name: string) => boolean; read?: readonly string[]; mtime?: Date },
  ): Promise<{ zip: ZipWriter; kept: { name: string; size: number }[]; read: Map<string, Buffer> }> {
    const partPath = `${path}.part`;
    const read = new Map<string, Buffer>();
    const kept: { name: string; size: number }[] = [];
    const central: Buffer[] = [];
    let cut: number;
    const fh = await open(from, 'r');
    try {
      const { records, centralOffset } = await readCentralDirectory(fh);
      let i = 0;
      while (i < records.length && opts.keep(records[i].name)) i++;
      cut = i < records.length ? records[i].offset : centralOffset;
      for (const [n, r] of records.entries()) {
        // the kept entries must be the file's first bytes (yazl writes entries, and lists them, in order)
        if (n < i !== r.offset < cut || (n < i && n > 0 && r.offset <= records[n - 1].offset))
          throw new Error(`${from}: ${r.name} is out of order; the zip cannot be continued`);
        if (n >= i && opts.keep(r.name)) throw new Error(`${from}: ${r.name} follows entries that are not kept`);
        if (n < i) {
          kept.push({ name: r.name, size: r.size });
          central.push(r.record);
        }
        if (opts.read?.includes(r.name)) read.set(r.name, await readEntry(fh, r));
      }
      for (const name of opts.read ?? []) if (!read.has(name)) throw new Error(`${from}: no ${name}`);
    } finally {
      await fh.close();
    }
    await rename(from, partPath);
    const part = await open(partPath, 'r+');
    try {
      await part.truncate(cut);
    } finally {
      await part.close();
    }
    return { zip: new ZipWriter(path, { mtime: opts.mtime, resume: { offset: cut, central } }), kept, read };
  }

  /** Adds one entry; resolves with its size, SHA-256 and SHA-512 once it is in the archive stream. */
  async add(name: string, source: EntrySource, opts: { compress?: boolean } = {}): Promise<EntryResult> {
    if (this.failure) throw this.failure;
    const hash = createHash('sha256');
    const hash512 = createHash('sha512');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        hash512.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    const pass = new PassThrough();
    const consumed = new Promise<void>((resolve, reject) => {
      pass.on('end', resolve);
      pass.on('error', reject);
    });
    this.zip.addReadStreamLazy(name, { compress: opts.compress ?? true, mtime: this.mtime }, handOverOnce(pass));
    unpoolFileName(this.zip);
    const input: Readable =
      Buffer.isBuffer(source) || typeof source === 'string'
        ? Readable.from([typeof source === 'string' ? Buffer.from(source, 'utf8') : source])
        : typeof source === 'function'
          ? Readable.from(mapToBuffers(source()))
          : source;
    // (no Promise.race with a long-lived promise here: each race would leave a reaction on it holding this call's
    // frame, and with it the entry's data, until the zip is finished)
    this.current = pass;
    try {
      await Promise.all([pipeline(input, tap, pass), consumed]);
    } finally {
      this.current = null;
    }
    if (this.failure) throw this.failure;
    return { size, sha256: hash.digest('hex'), sha512: hash512.digest('hex') };
  }

  /** Closes the archive, flushes it to disk and renames the `.part` file into place. */
  async finish(): Promise<{ path: string; size: number }> {
    if (this.failure) throw this.failure;
    this.zip.end();
    await Promise.race([this.written, this.failed]);
    const fh = await open(this.partPath, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(this.partPath, this.path);
    const st = await open(this.path, 'r');
    try {
      return { path: this.path, size: (await st.stat()).size };
    } finally {
      await st.close();
    }
  }

  /** Gives up: stops writing and removes the `.part` file. */
  async abort(): Promise<void> {
    this.abandon();
    await rm(this.partPath, { force: true });
  }

  /** Stops writing and leaves the `.part` file behind, as a crashed process would (used by fault tests). */
  abandon(): void {
    this.failure ??= new Error('aborted');
    this.zip.outputStream.unpipe?.();
    this.out.destroy();
  }
}

/** An entry of a continued zip already on disk, for yazl: done, and listed with its original central directory record. */
function keptEntry(record: Buffer) {
  return { state: 3 /* Entry.FILE_DATA_DONE */, getCentralDirectoryRecord: () => record };
}

interface CentralRecord {
  name: string;
  /** Where its local header is. */
  offset: number;
  method: number;
  compressedSize: number;
  size: number;
  /** The record as it is in the central directory. */
  record: Buffer;
}

const MAX32 = 0xffffffff;

async function readAt(fh: FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  for (let got = 0; got < length;) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (!bytesRead) throw new Error('unexpected end of the zip');
    got += bytesRead;
  }
  return buf;
}

/** The central directory's records (zip64 included), in order. */
async function readCentralDirectory(fh: FileHandle): Promise<{ records: CentralRecord[]; centralOffset: number }> {
  const size = (await fh.stat()).size;
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = await readAt(fh, tailLength, size - tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50 && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip: no end of central directory record');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === MAX32 || cdOffset === MAX32) {
    const locator = await readAt(fh, 20, size - tailLength + eocd - 20);
    if (locator.readUInt32LE(0) !== 0x07064b50) throw new Error('zip64 end of central directory locator missing');
    const z64 = await readAt(fh, 56, Number(locator.readBigUInt64LE(8)));
    if (z64.readUInt32LE(0) !== 0x06064b50) throw new Error('zip64 end of central directory record missing');
    count = Number(z64.readBigUInt64LE(32));
    cdSize = Number(z64.readBigUInt64LE(40));
    cdOffset = Number(z64.readBigUInt64LE(48));
  }
  const cd = await readAt(fh, cdSize, cdOffset);
  const records: CentralRecord[] = [];
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > cd.length || cd.readUInt32LE(at) !== 0x02014b50) throw new Error('invalid central directory record');
    const nameLength = cd.readUInt16LE(at + 28);
    const extraLength = cd.readUInt16LE(at + 30);
    const end = at + 46 + nameLength + extraLength + cd.readUInt16LE(at + 32);
    let compressedSize = cd.readUInt32LE(at + 20);
    let uncompressed = cd.readUInt32LE(at + 24);
    let offset = cd.readUInt32LE(at + 42);
    // the zip64 extra field holds, in this order, the values whose 32-bit field is 0xffffffff
    for (let x = at + 46 + nameLength; x + 4 <= at + 46 + nameLength + extraLength;) {
      const tag = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (tag === 0x0001) {
        let f = x + 4;
        const next = () => {
          const v = Number(cd.readBigUInt64LE(f));
          f += 8;
          return v;
        };
        if (uncompressed === MAX32) uncompressed = next();
        if (compressedSize === MAX32) compressedSize = next();
        if (offset === MAX32) offset = next();
      }
      x += 4 + len;
    }
    records.push({
      name: cd.toString('utf8', at + 46, at + 46 + nameLength),
      offset,
      method: cd.readUInt16LE(at + 10),
      compressedSize,
      size: uncompressed,
      record: cd.subarray(at, end),
    });
    at = end;
  }
  return { records, centralOffset: cdOffset };
}

/** One entry's bytes (stored or deflated). */
async function readEntry(fh: FileHandle, r: CentralRecord): Promise<Buffer> {
  const header = await readAt(fh, 30, r.offset);
  if (header.readUInt32LE(0) !== 0x04034b50) throw new Error(`${r.name}: invalid local file header`);
  const raw = await readAt(fh, r.compressedSize, r.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28));
  const data = r.method === 0 ? raw : r.method === 8 ? inflateRawSync(raw) : null;
  if (!data) throw new Error(`${r.name}: unsupported compression method ${r.method}`);
  if (data.length !== r.size) throw new Error(`${r.name}: expected ${r.size} bytes, got ${data.length}`);
  return data;
}

/**
 * yazl keeps each entry's name as a small Buffer until the end (for the central directory). Small Buffers are
 * slices of Node's shared 8 kB pool, and one retained slice keeps its whole slab alive: about 2 kB per entry in
 * practice, 60 MB for a 3000-item bag. The name is copied into a buffer of its own.
 */
function unpoolFileName(zip: yazl.ZipFile): void {
  const entries = (zip as unknown as { entries?: { utf8FileName?: Buffer }[] }).entries;
  const entry = entries?.[entries.length - 1];
  const name = entry?.utf8FileName;
  if (!entry || !Buffer.isBuffer(name) || name.buffer.byteLength === name.length) return;
  const own = Buffer.allocUnsafeSlow(name.length);
  name.copy(own);
  entry.utf8FileName = own;
}

/**
 * yazl keeps every entry, and the function that hands over its stream, until the zip is finished. The function is
 * made here, in a scope of its own, and forgets the stream once handed over: a closure made inside `add` would keep
 * that call's whole scope, and through the stream's pipes the entry's data, alive to the end.
 */
function handOverOnce(stream: PassThrough): (cb: (err: unknown, s: NodeJS.ReadableStream) => void) => void {
  let s: PassThrough | null = stream;
  return (cb) => {
    const out = s!;
    s = null;
    cb(null, out);
  };
}

async function* mapToBuffers(it: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  for await (const chunk of it) yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}
