/**
 * The SQL of sessions (auth_tokens with their users). SESSION_VALID is the one definition of a valid session
 * (token not revoked, not expired, its user active), as SQL over `auth_tokens t JOIN users u ON u.id = t.user_id`:
 * the per-request lookup, the uncached re-read, a notification stream's periodic check and the transition write's
 * re-check of a cached session (WRITE_TRANSITIONS, documents.ts) all use it. The statements are built once at
 * load, so the per-request lookup stays one prepared statement.
 */
import type { EntityManager } from 'typeorm';
import type { AuthorityScope, Role } from '#gongwen/authority';
import type { ClassificationLevel } from '#gongwen/document/model';
import type { TokenScope } from '#gongwen/persistence';
import { prepared } from '../../database/prepared.js';

export const SESSION_VALID = `t.revoked_at IS NULL AND t.expires_at > now() AND u.active`;

const FROM_VALID = `FROM auth_tokens t JOIN users u ON u.id = t.user_id`;

const SELECT_BY_HASH = `SELECT t.id AS token_id, t.scope, t.kind, t.expires_at, u.id, u.username, u.display_name, u.unit_id, u.roles, u.clearance, u.authority, u.active
         ${FROM_VALID}
        WHERE t.token_hash = $1 AND ${SESSION_VALID}`;
const SELECT_BY_ID = `SELECT u.id, u.username, u.display_name, u.unit_id, u.roles, u.clearance, u.authority
         ${FROM_VALID}
        WHERE t.id = $1 AND ${SESSION_VALID}`;
const SELECT_HOLDS = `SELECT 1 ${FROM_VALID}
        WHERE t.id = $1 AND ${SESSION_VALID} AND u.roles = $2::text[] AND u.clearance = $3`;

/** A valid session's token and user, by the hash of its secret (the guard's per-request lookup). */
export interface SessionRow {
  token_id: string;
  scope: TokenScope;
  kind: 'session' | 'personal';
  expires_at: Date;
  id: string;
  username: string;
  display_name: string;
  unit_id: string | null;
  roles: Role[];
  clearance: ClassificationLevel;
  authority: AuthorityScope | null;
  active: boolean;
}

export async function selectValidSessionByHash(m: EntityManager, tokenHash: string): Promise<SessionRow | undefined> {
  return (await prepared<SessionRow>(m, SELECT_BY_HASH, [tokenHash]))[0];
}

/** The user of a valid session, by the token's id (uncached re-reads). */
export async function selectValidSessionUser(
  m: EntityManager,
  tokenId: string,
): Promise<Omit<SessionRow, 'token_id' | 'scope' | 'kind' | 'expires_at' | 'active'> | undefined> {
  return (await m.query(SELECT_BY_ID, [tokenId]))[0];
}

/** Whether a session is still valid with the same roles and clearance (a notification stream's periodic check). */
export async function sessionStillHolds(m: EntityManager, tokenId: string, roles: string[], clearance: string): Promise<boolean> {
  return (await m.query(SELECT_HOLDS, [tokenId, roles, clearance])).length > 0;
}
