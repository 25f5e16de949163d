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
    // TypeORM answers a DELETE with [rows, rowCount], not with the rows
    const answer: unknown = await db.query(sql, [...params, chunk]);
    const n = deletedCount(answer);
    total += n;
    if (n < chunk) break;
  }
  return total;
}

function deletedCount(answer: unknown): number {
  if (Array.isArray(answer) && answer.length === 2 && Array.isArray(answer[0]) && typeof answer[1] === 'number') return answer[1];
  return Array.isArray(answer) ? answer.length : 0;
}
