import type { FastifyRequest } from 'fastify';
import { AppError } from '../common/errors.js';
import type { AuthorityScope, Role } from '#gongwen/workflows/outgoing/types';
import type { ClassificationLevel } from '#gongwen/document/model';
import type { TokenScope } from '#gongwen/persistence';
import type { Principal } from '#gongwen/authority';

/** The authenticated caller, attached to the request by the AuthGuard. */
export interface AuthUser {
  id: string;
  username: string;
  displayName: string;
  unitId: string | null;
  roles: Role[];
  clearance: ClassificationLevel;
  authority: AuthorityScope | null;
  /** How the request authenticated (cookie-authenticated writes need the CSRF header); 'system' for scheduled work. */
  via: 'bearer' | 'cookie' | 'system';
  tokenId: string;
  tokenScope: TokenScope;
  /**
   * Authenticated from the session cache (routes marked @SessionCheckedAtWrite only): the data may be a few
   * seconds old, so the write itself re-checks the session (see DocumentsService).
   */
  sessionCached?: true;
  /**
   * Acting as a deputy for this principal (委托/代签), stamped by a write path from the deputy's delegations in force
   * (delegations/acting.ts), never from the client: actorOf carries it into the event.
   */
  onBehalfOf?: Principal;
}

export type AuthedRequest = FastifyRequest & { user?: AuthUser };

export const SESSION_COOKIE = 'gw_session';
export const CSRF_COOKIE = 'gw_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** The answer to a token or session that is unknown, revoked or expired, or whose user was deactivated. */
export function invalidSession(): AppError {
  return new AppError(
    'UNAUTHENTICATED',
    'The token or session is invalid or has expired.',
    {},
    { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
  );
}
