import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Role } from '#gongwen/workflows/outgoing/types';
import type { TokenScope } from '#gongwen/persistence';
import type { AuthedRequest, AuthUser } from './auth.types.js';

export const IS_PUBLIC = 'gongwen:public';
export const ROLES = 'gongwen:roles';
export const MIN_SCOPE = 'gongwen:min-scope';
export const SESSION_CHECKED_AT_WRITE = 'gongwen:session-checked-at-write';

/** The route needs no authentication (login, health, docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
/** The caller must hold one of these roles. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);
/**
 * Personal API tokens need at least this scope (read < draft < full). Reads default to `read`, writes to `full`.
 * The OpenAPI operation says so too (`x-token-scope`).
 */
export const RequireScope = (scope: TokenScope) => applyDecorators(SetMetadata(MIN_SCOPE, scope), ApiExtension('x-token-scope', scope));
/**
 * The handler's only effect is a write that re-checks the session in its own statement, and it answers
 * nothing before that write succeeds without re-checking: the guard may then authenticate from its
 * short-lived session cache (AuthService.authenticate) instead of asking the database.
 */
export const SessionCheckedAtWrite = () => SetMetadata(SESSION_CHECKED_AT_WRITE, true);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  const req = ctx.switchToHttp().getRequest<AuthedRequest>();
  return req.user!;
});
