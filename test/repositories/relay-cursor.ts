/** The relay's cursor as the outbox tests read it (outbox-relay.test.ts, outbox-rebase.test.ts). */
import type { EntityManager } from 'typeorm';
import { relayOutbox } from '../../apps/api/src/engine/repositories/outbox.js';

/** Whether the relay's cursor has passed each of these outbox rows. */
export async function passed(m: EntityManager, ids: string[]): Promise<boolean[]> {
  const rows: { passed: boolean }[] = await m.query(
    `SELECT (o.tx, o.id) <= (r.cursor_tx, r.cursor_id) AS passed
       FROM unnest($1::bigint[]) WITH ORDINALITY AS i(id, k) JOIN outbox o ON o.id = i.id, outbox_relay r ORDER BY i.k`,
    [ids],
  );
  return rows.map((r) => r.passed);
}

/**
 * Relays until the cursor has passed these rows or gives up (a transaction of another test file's database, ending
 * while the relay reads the horizon, may hold a batch back).
 */
export async function relayUntilPassed(m: EntityManager, ids: string[]): Promise<void> {
  for (let i = 0; i < 100 && (await passed(m, ids)).includes(false); i++) {
    await relayOutbox(m, 500);
    if ((await passed(m, ids)).includes(false)) await new Promise((r) => setTimeout(r, 20));
  }
}
