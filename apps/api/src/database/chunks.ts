import type { DataSource } from 'typeorm';

/**
 * Runs a `DELETE … LIMIT $n … RETURNING 1` (the chunk size is its last parameter) until a chunk comes back short,
 * so that a large backlog is never one long statement; returns how many rows went.
 */
export async function deleteInChunks(
  db: DataSource,
  sql: string,
  params: unknown[],
  chunk: number,
  stop: () => boolean = () => false,
): Promise<number> {
  let total = 0;
  while (!stop()) {
    const rows: unknown[] = await db.query(sql, [...params, chunk]);
    total += rows.length;
    if (rows.length < chunk) break;
  }
  return total;
}
