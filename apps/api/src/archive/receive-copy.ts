/**
 * Writing a received package's files into archive_files with one binary COPY: each file is read from the check's
 * spool (written there as the zip was read, inflated and hashed once) straight into PostgreSQL, with the digest
 * the check computed. A bytea parameter would travel as hex text (twice the bytes, parsed on both ends); COPY's
 * binary format carries the bytes as they are, and memory holds one file (a large one: a piece of it) at a time.
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import type { Spool } from '#gongwen/archive/checks/index';

export interface CopiedFile {
  itemId: string;
  role: string;
  name: string;
  mediaType: string;
  sha256: string;
  /** The file's path in the spool (inside the bag). */
  path: string;
}

const SMALL = 1 << 20;
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

function field(b: Buffer): Buffer[] {
  const len = Buffer.alloc(4);
  len.writeInt32BE(b.length);
  return [len, b];
}

function* tuples(spool: Spool, files: CopiedFile[]): Generator<Buffer> {
  const header = Buffer.alloc(SIGNATURE.length + 8);
  SIGNATURE.copy(header);
  yield header; // flags and header extension length: 0
  for (const f of files) {
    // small files are read in one piece and sent with their tuple's header; large ones in pieces
    const size = spool.size(f.path);
    if (size === undefined) throw new Error(`${f.path} is not in the spool`);
    const whole = size <= SMALL ? spool.read(f.path) : null;
    const count = Buffer.alloc(2);
    count.writeInt16BE(7);
    const big = Buffer.alloc(8);
    big.writeBigInt64BE(BigInt(size));
    const dataLen = Buffer.alloc(4);
    dataLen.writeInt32BE(size);
    yield Buffer.concat([
      count,
      ...field(Buffer.from(f.itemId.replace(/-/g, ''), 'hex')),
      ...field(Buffer.from(f.role, 'utf8')),
      ...field(Buffer.from(f.name, 'utf8')),
      ...field(Buffer.from(f.mediaType, 'utf8')),
      ...field(big),
      ...field(Buffer.from(f.sha256, 'utf8')),
      dataLen,
      ...(whole ? [whole] : []),
    ]);
    if (!whole) yield* spool.chunks(f.path);
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  yield trailer;
}

/** COPYs the files into archive_files on the transaction's own connection. */
export async function copyArchiveFiles(m: EntityManager, spool: Spool, files: CopiedFile[]): Promise<void> {
  if (!files.length) return;
  const client = (await (m.queryRunner as unknown as { connect(): Promise<{ query(s: unknown): Writable }> }).connect()) as {
    query(s: unknown): Writable;
  };
  const sink = client.query(
    copyFrom(`COPY archive_files (item_id, role, name, media_type, size, sha256, data) FROM STDIN (FORMAT binary)`),
  );
  await pipeline(tuples(spool, files), sink);
}
