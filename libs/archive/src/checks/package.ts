/**
 * A record package as the checks see it: gongwen's BagIt export (a zip holding one bag directory) or the same
 * layout in memory (one item at filing time). Entries are listed from the zip's central directory and read one
 * item at a time, so checking a large package holds one item's files in memory, not the package.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';

export interface EntryInfo {
  size: number;
  /** The zip entry's traditional-encryption flag (general purpose bit 0). */
  encrypted: boolean;
}

export interface PackageSource {
  /** Every file, by its path inside the bag (`bagit.txt`, `data/items/…`). */
  readonly entries: ReadonlyMap<string, EntryInfo>;
  read(path: string): Promise<Buffer>;
  /** Several files at once (one item's): each file's bytes, or why it could not be read. */
  readMany?(paths: readonly string[]): Promise<Map<string, Buffer | Error>>;
  close(): Promise<void>;
}

/** One item's directory under data/items/, with its metadata.json parsed when it parses. */
export interface PackageItem {
  /** e.g. data/items/0001-0194-WS.2026-D30-BGS-0001 */
  dir: string;
  /** From metadata.json, else from the directory name, else the directory itself. */
  subject: string;
  metadata: ItemMetadataJson | null;
  metadataError: string | null;
  /** The item's files by path inside its directory, loaded for the item checks and released afterwards. */
  files: Map<string, Buffer>;
  /** Paths inside the directory that could not be read (encrypted or corrupt zip entries), with the reason. */
  unreadable: Map<string, string>;
}

/** The fields of an exported item's metadata.json the checks use (the rest is kept as found). */
export interface ItemMetadataJson {
  archivalNumber?: unknown;
  status?: unknown;
  pageCount?: unknown;
  filedAt?: unknown;
  metadata?: Record<string, unknown> | null;
  files?: { name: string; role: string; mediaType: string; size: number; sha256: string }[];
  [k: string]: unknown;
}

export class RecordPackage {
  /** SHA-256 of every payload file read so far (the manifest check compares them). */
  readonly computed = new Map<string, string>();
  bagInfo = new Map<string, string>();
  manifest = new Map<string, string>();
  tagManifest = new Map<string, string>();
  volume: Record<string, any> | null = null;
  structureProblems: string[] = [];
  bagitText: string | null = null;
  readonly itemDirs: string[];
  /** Each item directory's entries, listed once (not a scan of the whole package per item). */
  private readonly byDir = new Map<string, string[]>();

  constructor(
    readonly source: PackageSource,
    readonly name: string,
  ) {
    for (const p of source.entries.keys()) {
      const m = /^data\/items\/([^/]+)\//.exec(p);
      if (!m) continue;
      const dir = `data/items/${m[1]}`;
      const list = this.byDir.get(dir);
      if (list) list.push(p);
      else this.byDir.set(dir, [p]);
    }
    this.itemDirs = [...this.byDir.keys()].sort();
  }

  /** Reads a file and records its SHA-256 if it is payload. */
  async read(path: string): Promise<Buffer> {
    return this.digested(path, await this.source.read(path));
  }

  private digested(path: string, data: Buffer): Buffer {
    if (path.startsWith('data/')) this.computed.set(path, sha256(data));
    return data;
  }

  /** Reads the tag files, the manifests and volume.json (the register). */
  async loadTags(): Promise<void> {
    const e = this.source.entries;
    for (const required of ['bagit.txt', 'bag-info.txt', 'manifest-sha256.txt']) {
      if (!e.has(required)) this.structureProblems.push(`缺少 ${required}`);
    }
    // a tag file that cannot be read (a damaged zip entry) is a structure problem, not a crash of the run
    const text = async (path: string): Promise<string | null> => {
      try {
        return (await this.source.read(path)).toString('utf8');
      } catch (err) {
        this.structureProblems.push(`${path} 无法读取：${(err as Error).message}`);
        return null;
      }
    };
    if (e.has('bag-info.txt')) this.bagInfo = parseBagInfo((await text('bag-info.txt')) ?? '');
    if (e.has('manifest-sha256.txt')) this.manifest = parseManifest((await text('manifest-sha256.txt')) ?? '');
    if (e.has('tagmanifest-sha256.txt')) this.tagManifest = parseManifest((await text('tagmanifest-sha256.txt')) ?? '');
    for (const [path, expected] of this.tagManifest) {
      if (!e.has(path)) this.structureProblems.push(`标签清单列出的 ${path} 不存在`);
      else {
        const t = await text(path);
        if (t !== null && sha256(Buffer.from(t, 'utf8')) !== expected) this.structureProblems.push(`${path} 的摘要与标签清单不符`);
      }
    }
    this.bagitText = e.has('bagit.txt') ? await text('bagit.txt') : null;
    if (e.has('data/volume.json')) {
      try {
        this.volume = JSON.parse((await this.read('data/volume.json')).toString('utf8')) as Record<string, any>;
      } catch (err) {
        this.structureProblems.push(`data/volume.json 无法解析：${(err as Error).message}`);
      }
    }
  }

  /** Loads one item's files (the caller releases them with `release`). */
  async loadItem(dir: string): Promise<PackageItem> {
    const item: PackageItem = {
      dir,
      subject: dir.slice('data/items/'.length).replace(/^\d{4}-/, ''),
      metadata: null,
      metadataError: null,
      files: new Map(),
      unreadable: new Map(),
    };
    const paths: string[] = [];
    for (const path of this.byDir.get(dir) ?? []) {
      if (this.source.entries.get(path)!.encrypted) item.unreadable.set(path.slice(dir.length + 1), '压缩包条目已加密');
      else paths.push(path);
    }
    // the item's files in one read when the source can (a zip on disk), else one by one
    const many = this.source.readMany && paths.length ? await this.source.readMany(paths) : null;
    for (const path of paths) {
      const rel = path.slice(dir.length + 1);
      try {
        const got = many?.get(path);
        if (got instanceof Error) throw got;
        item.files.set(rel, got ? this.digested(path, got) : await this.read(path));
      } catch (err) {
        item.unreadable.set(rel, (err as Error).message);
      }
    }
    const meta = item.files.get('metadata.json');
    if (!meta) item.metadataError = item.unreadable.get('metadata.json') ?? '缺少 metadata.json';
    else {
      try {
        item.metadata = JSON.parse(meta.toString('utf8'));
        if (typeof item.metadata?.archivalNumber === 'string') item.subject = item.metadata.archivalNumber;
      } catch (err) {
        item.metadataError = `metadata.json 无法解析：${(err as Error).message}`;
      }
    }
    return item;
  }

  release(item: PackageItem): void {
    item.files.clear();
  }

  close(): Promise<void> {
    return this.source.close();
  }
}

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([0-9a-fA-F]+)\s+(.+)$/.exec(line.trim());
    if (m) out.set(decodeManifestPath(m[2]), m[1].toLowerCase());
  }
  return out;
}

function decodeManifestPath(p: string): string {
  return p.replace(/%0A/gi, '\n').replace(/%0D/gi, '\r').replace(/%25/g, '%');
}

export function parseBagInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s/.test(line) && last) out.set(last, `${out.get(last)} ${line.trim()}`);
    else {
      const i = line.indexOf(':');
      if (i > 0) {
        last = line.slice(0, i).trim();
        out.set(last, line.slice(i + 1).trim());
      }
    }
  }
  return out;
}

/** A package held in memory (an item being filed, tests). Paths are inside the bag. */
export function memorySource(files: Map<string, Buffer>, encrypted: ReadonlySet<string> = new Set()): PackageSource {
  const entries = new Map<string, EntryInfo>();
  for (const [p, b] of files) entries.set(p, { size: b.length, encrypted: encrypted.has(p) });
  return {
    entries,
    read: async (p) => {
      const b = files.get(p);
      if (!b) throw new Error(`no ${p} in the package`);
      return b;
    },
    close: async () => undefined,
  };
}

/**
 * A zip on disk (gongwen's serialised bag: one top-level directory holding the bag). The central directory is
 * read once; entries are then read in any order.
 */
export async function zipSource(path: string): Promise<PackageSource> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: true, strictFileNames: false }, (err, z) =>
      err ? reject(err) : resolve(z!),
    ),
  );
  const raw = new Map<string, yauzl.Entry>();
  const starts: number[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      starts.push(entry.relativeOffsetOfLocalHeader);
      if (!entry.fileName.endsWith('/')) raw.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  // the bag's directory: the one top-level folder holding bagit.txt (RFC 8493 §4 serialisation)
  const tops = new Set([...raw.keys()].map((n) => n.split('/')[0]));
  const root = tops.size === 1 && raw.has(`${[...tops][0]}/bagit.txt`) ? `${[...tops][0]}/` : '';
  const entries = new Map<string, EntryInfo>();
  const byPath = new Map<string, yauzl.Entry>();
  for (const [name, e] of raw) {
    const p = root && name.startsWith(root) ? name.slice(root.length) : name;
    entries.set(p, { size: e.uncompressedSize, encrypted: (e.generalPurposeBitFlag & 1) === 1 });
    byPath.set(p, e);
  }
  // where each entry's bytes end at the latest: where the next entry (by position in the file) begins
  starts.sort((x, y) => x - y);
  const bound = (e: yauzl.Entry): number => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= e.relativeOffsetOfLocalHeader) lo = mid + 1;
      else hi = mid;
    }
    return lo < starts.length ? starts[lo] : zip.fileSize;
  };
  const read = (p: string): Promise<Buffer> =>
    new Promise<Buffer>((resolve, reject) => {
      const e = byPath.get(p);
      if (!e) return reject(new Error(`no ${p} in the package`));
      zip.openReadStream(e, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream!.on('data', (c: Buffer) => chunks.push(c));
        stream!.on('end', () => resolve(Buffer.concat(chunks)));
        stream!.on('error', reject);
      });
    });
  let fd: number | null = null;
  return {
    entries,
    async readMany(paths) {
      const out = new Map<string, Buffer | Error>();
      const wanted: [string, yauzl.Entry][] = [];
      for (const p of paths) {
        const e = byPath.get(p);
        if (e) wanted.push([p, e]);
        else out.set(p, new Error(`no ${p} in the package`));
      }
      if (!wanted.length) return out;
      const from = Math.min(...wanted.map(([, e]) => e.relativeOffsetOfLocalHeader));
      const to = Math.max(...wanted.map(([, e]) => bound(e)));
      const compressed = wanted.reduce((n, [, e]) => n + e.compressedSize, 0);
      if (to - from > MANY_MAX_SPAN || to - from > 2 * compressed + (1 << 20)) {
        // files far apart or large: read one by one (a stream each, memory bounded by the file)
        for (const [p] of wanted) out.set(p, await read(p).catch((err: Error) => err));
        return out;
      }
      // one synchronous read: an item's span (tens of kB) comes from the page cache, and a thread-pool round trip
      // per item cost more main-thread time than the read
      fd ??= openSync(path, 'r');
      const span = Buffer.allocUnsafe(to - from);
      for (let got = 0; got < span.length;) {
        const n = readSync(fd, span, got, span.length - got, from + got);
        if (!n) throw new Error('unexpected EOF');
        got += n;
      }
      for (const [p, e] of wanted) {
        try {
          out.set(p, entryData(span, e.relativeOffsetOfLocalHeader - from, e));
        } catch (err) {
          out.set(p, err as Error);
        }
      }
      return out;
    },
    read,
    close: async () => {
      zip.close();
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/** The most bytes readMany reads at once (more: one file at a time). */
const MANY_MAX_SPAN = 16 << 20;

/**
 * One entry's bytes from a span of the zip that holds it, checked as yauzl checks them when it streams an entry
 * (local header signature, data within the span, a stored or deflated method, the inflated size equal to the
 * central directory's). Node's zlib inflates in one call: yauzl's stream per entry (two reads, a read stream and
 * an inflate stream, each a round of callbacks) cost more than the inflating for a package of small files.
 */
function entryData(span: Buffer, at: number, e: yauzl.Entry): Buffer {
  if (e.isEncrypted()) throw new Error('entry is encrypted, and options.decodeFileData !== false');
  if (at < 0 || at + 30 > span.length || span.readUInt32LE(at) !== 0x04034b50)
    throw new Error(
      `invalid local file header signature: 0x${at >= 0 && at + 4 <= span.length ? span.readUInt32LE(at).toString(16) : '?'}`,
    );
  const start = at + 30 + span.readUInt16LE(at + 26) + span.readUInt16LE(at + 28);
  if (start + e.compressedSize > span.length)
    throw new Error(`file data overflows its bounds: ${start} + ${e.compressedSize} > ${span.length}`);
  const raw = span.subarray(start, start + e.compressedSize);
  if (e.compressionMethod === 0) return Buffer.from(raw);
  if (e.compressionMethod !== 8) throw new Error(`unsupported compression method: ${e.compressionMethod}`);
  let data: Buffer;
  try {
    data = inflateRawSync(raw, { maxOutputLength: Math.max(1, e.uncompressedSize) });
  } catch (err) {
    throw (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? new Error('too many bytes in the stream') : err;
  }
  if (data.length !== e.uncompressedSize) throw new Error(`expected ${e.uncompressedSize} bytes, got ${data.length}`);
  return data;
}
