/**
 * A zip written entry by entry to a file on disk with yazl, in bounded memory: `add` resolves only once yazl has
 * consumed the entry, and yazl only reads as fast as the file takes the bytes. The archive is written to
 * `<path>.part` and renamed to `<path>` on `finish`, so a reader never sees a half-written file and a crashed
 * writer leaves only a `.part` that the next attempt overwrites.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
    opts: { mtime?: Date } = {},
  ) {
    this.partPath = `${path}.part`;
    this.mtime = opts.mtime ?? new Date();
    this.out = createWriteStream(this.partPath);
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
