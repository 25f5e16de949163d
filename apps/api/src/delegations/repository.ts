/**
 * The SQL of delegations (委托): the rows, the checks a new one must pass (made under a lock on both people, so two
 * requests cannot both pass them), a deputy's active delegations from one principal, and what deputies did for a
 * principal (from the document history, through audit_events_on_behalf_of).
 */
import type { EntityManager } from 'typeorm';
import type { AuthorityScope, DelegationScope, Role } from '#gongwen/authority';

export interface DelegationRow {
  id: string;
  principal_id: string;
  deputy_id: string;
  scopes: DelegationScope[];
  starts_at: Date;
  ends_at: Date;
  reason: string;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
  revoke_reason: string | null;
}

/** Active now: started, not over, not revoked (the same test as the engine's delegatedTo). */
const ACTIVE = `g.revoked_at IS NULL AND g.starts_at <= now() AND g.ends_at > now()`;

/** The office a user belongs to: the top of his unit's chain (a 科室 belongs to its 办公室). */
const OFFICE_OF = `WITH RECURSIVE up AS (
    SELECT n.id, n.parent_id, 0 AS depth FROM units n WHERE n.id = (SELECT unit_id FROM users WHERE id = $1)
    UNION ALL SELECT p.id, p.parent_id, up.depth + 1 FROM units p JOIN up ON p.id = up.parent_id WHERE up.depth < 20)
  SELECT id FROM up WHERE parent_id IS NULL`;

export interface Person {
  id: string;
  active: boolean;
  roles: Role[];
  unit_id: string | null;
  authority: AuthorityScope | null;
  office_id: string | null;
}

export async function selectPerson(m: EntityManager, id: string): Promise<Person | undefined> {
  const [row] = await m.query(
    `SELECT u.id, u.active, u.roles, u.unit_id, u.authority, (${OFFICE_OF}) AS office_id FROM users u WHERE u.id = $1`,
    [id],
  );
  return row;
}

/** Orders two requests about the same people (principal or deputy) for the checks and the insert. */
export async function lockPeople(m: EntityManager, ids: string[]): Promise<void> {
  for (const id of [...new Set(ids)].sort()) await m.query(`SELECT pg_advisory_xact_lock(hashtext('gongwen.delegation:' || $1))`, [id]);
}

/** The principal's unrevoked delegations of any of `scopes` whose period meets [starts, ends). */
export async function selectOverlapping(
  m: EntityManager,
  column: 'principal_id' | 'deputy_id',
  person: string,
  scopes: DelegationScope[],
  starts: Date,
  ends: Date,
): Promise<DelegationRow[]> {
  return m.query(
    `SELECT * FROM delegations g WHERE g.${column} = $1 AND g.revoked_at IS NULL AND g.scopes && $2::text[]
        AND g.starts_at < $4 AND g.ends_at > $3 ORDER BY g.starts_at`,
    [person, scopes, starts, ends],
  );
}

export async function insertDelegation(
  m: EntityManager,
  d: { principalId: string; deputyId: string; scopes: DelegationScope[]; startsAt: Date; endsAt: Date; reason: string; createdBy: string },
): Promise<DelegationRow> {
  const [row] = await m.query(
    `INSERT INTO delegations (principal_id, deputy_id, scopes, starts_at, ends_at, reason, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [d.principalId, d.deputyId, d.scopes, d.startsAt, d.endsAt, d.reason, d.createdBy],
  );
  return row;
}

export async function selectDelegation(m: EntityManager, id: string, lock = false): Promise<DelegationRow | undefined> {
  return (await m.query(`SELECT * FROM delegations WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]))[0];
}

export async function revokeDelegation(m: EntityManager, id: string, by: string, reason: string | null): Promise<DelegationRow> {
  const [[row]] = await m.query(
    `UPDATE delegations SET revoked_at = now(), revoked_by = $2, revoke_reason = $3 WHERE id = $1 AND revoked_at IS NULL RETURNING *`,
    [id, by, reason],
  );
  return row;
}

/** Every delegation a user gave or received, newest period first, with both people's names. */
export async function selectForUser(
  m: EntityManager,
  userId: string,
): Promise<(DelegationRow & { principal_name: string; deputy_name: string })[]> {
  return m.query(
    `SELECT g.*, p.display_name AS principal_name, d.display_name AS deputy_name
       FROM delegations g JOIN users p ON p.id = g.principal_id JOIN users d ON d.id = g.deputy_id
      WHERE g.principal_id = $1 OR g.deputy_id = $1
      ORDER BY g.starts_at DESC, g.created_at DESC LIMIT 500`,
    [userId],
  );
}

/**
 * What a deputy holds from `principal` now: the scopes of his active delegations from him, with the principal's
 * current roles, unit and authority (the workflows decide with them). None when the principal is no longer active.
 */
export async function selectActiveFrom(
  m: EntityManager,
  deputy: string,
  principal: string,
): Promise<{ scopes: DelegationScope[]; roles: Role[]; unit_id: string | null; authority: AuthorityScope | null } | undefined> {
  const [row] = await m.query(
    `SELECT array_agg(DISTINCT s) AS scopes, u.roles, u.unit_id, u.authority
       FROM delegations g CROSS JOIN LATERAL unnest(g.scopes) s JOIN users u ON u.id = g.principal_id AND u.active
      WHERE g.deputy_id = $1 AND g.principal_id = $2 AND ${ACTIVE}
      GROUP BY u.id`,
    [deputy, principal],
  );
  return row;
}

/** The principals a deputy acts for now, with the scopes he holds from each. */
export async function selectActivePrincipals(
  m: EntityManager,
  deputy: string,
): Promise<{ principal_id: string; scopes: DelegationScope[] }[]> {
  return m.query(
    `SELECT g.principal_id, array_agg(DISTINCT s) AS scopes
       FROM delegations g CROSS JOIN LATERAL unnest(g.scopes) s
      WHERE g.deputy_id = $1 AND ${ACTIVE} GROUP BY g.principal_id`,
    [deputy],
  );
}

/**
 * What deputies did on `principal`'s behalf, newest first, from the document history (the deputy in actor_id, the
 * principal in the event's actor.onBehalfOf), on documents of every workflow; with the titles, for the page that
 * lists them. Only the events: the principal had those tasks, so he may know they were done.
 */
export async function selectActionsFor(
  m: EntityManager,
  principal: string,
  limit: number,
): Promise<
  {
    document_id: string;
    workflow_id: string;
    title: string;
    classification_rank: number;
    event_type: string;
    from_state: string;
    to_state: string;
    actor_id: string;
    deputy_name: string;
    created_at: Date;
    opinion: string | null;
  }[]
> {
  return m.query(
    `SELECT a.document_id, d.workflow_id, d.title, d.classification_rank, a.event_type, a.from_state, a.to_state, a.actor_id,
            u.display_name AS deputy_name, a.created_at, coalesce(a.payload #>> '{event,opinion}', a.reason) AS opinion
       FROM audit_events a JOIN documents d ON d.id = a.document_id JOIN users u ON u.id = a.actor_id
      WHERE (a.payload #>> '{event,actor,onBehalfOf,userId}')::uuid = $1 AND a.payload #> '{event,actor,onBehalfOf}' IS NOT NULL
      ORDER BY (a.payload #>> '{event,actor,onBehalfOf,userId}')::uuid, a.created_at DESC LIMIT $2`,
    [principal, limit],
  );
}

/**
 * The re-check a deputy's event makes inside its own transaction (after the document's row lock): the scopes of his
 * active delegations from `principal`, each row locked FOR SHARE until the event commits. A revocation takes the
 * row FOR UPDATE: if it came first and committed, the row is no longer active here (READ COMMITTED reads it
 * afresh, and a row it waited for is re-evaluated on its new version); if the event came first, the revocation
 * waits for it. Either way the event and the revocation are ordered, and no event passes on a revoked delegation.
 */
export async function lockActiveScopes(m: EntityManager, deputy: string, principal: string): Promise<DelegationScope[]> {
  const rows: { scopes: DelegationScope[] }[] = await m.query(
    `SELECT g.scopes FROM delegations g JOIN users u ON u.id = g.principal_id AND u.active
      WHERE g.deputy_id = $1 AND g.principal_id = $2 AND ${ACTIVE} FOR SHARE OF g`,
    [deputy, principal],
  );
  return [...new Set(rows.flatMap((r) => r.scopes))];
}

/** Whether the user holds any delegation in force now (one probe of delegations_deputy). */
export async function isDeputyNow(m: EntityManager, userId: string): Promise<boolean> {
  const rows: unknown[] = await m.query(`SELECT 1 FROM delegations g WHERE g.deputy_id = $1 AND ${ACTIVE} LIMIT 1`, [userId]);
  return rows.length > 0;
}
