import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '#gongwen/workflows/outgoing/types';
import type { TokenScope } from '#gongwen/persistence';
import { AppError } from '../common/errors.js';
import { AuthService } from './auth.service.js';
import { CSRF_COOKIE, CSRF_HEADER, invalidSession, SESSION_COOKIE, type AuthedRequest } from './auth.types.js';
import { IS_PUBLIC, MIN_SCOPE, ROLES, SESSION_CHECKED_AT_WRITE } from './decorators.js';
import { safeEqual } from './tokens.js';

const SCOPE_RANK: Record<TokenScope, number> = { read: 0, draft: 1, full: 2 };
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Global guard: every route authenticates unless marked @Public. Bearer tokens (API clients) or the
 * HttpOnly session cookie (web UI; writes need the CSRF double-submit header). Then roles and token scope.
 */
/** What a route says about its authentication (its decorators), read once per handler. */
interface RouteAuth {
  isPublic: boolean;
  /** @SessionCheckedAtWrite: the session may come from the cache. */
  cacheable: boolean;
  minScope: TokenScope | undefined;
  roles: Role[] | undefined;
}

@Injectable()
export class AuthGuard implements CanActivate {
  /**
   * Handler → class → its RouteAuth: decorator metadata is fixed once the classes are defined, and reading it
   * through the Reflector (four keys, two targets each) on every request was about a quarter of the guard's time.
   */
  private readonly routes = new WeakMap<object, WeakMap<object, RouteAuth>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  private routeAuth(context: ExecutionContext): RouteAuth {
    const handler = context.getHandler();
    const cls = context.getClass();
    let byClass = this.routes.get(handler);
    if (!byClass) this.routes.set(handler, (byClass = new WeakMap()));
    let route = byClass.get(cls);
    if (!route) {
      const targets = [handler, cls];
      route = {
        isPublic: !!this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets),
        cacheable: this.reflector.getAllAndOverride<boolean>(SESSION_CHECKED_AT_WRITE, targets) === true,
        minScope: this.reflector.getAllAndOverride<TokenScope | undefined>(MIN_SCOPE, targets),
        roles: this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets),
      };
      byClass.set(cls, route);
    }
    return route;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.routeAuth(context);
    if (route.isPublic) return true;
    const req = context.switchToHttp().getRequest<AuthedRequest>();

    const header = req.headers.authorization;
    let secret: string | undefined;
    let via: 'bearer' | 'cookie' = 'bearer';
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw new AppError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <token>".');
      secret = m[1];
    } else if (req.cookies?.[SESSION_COOKIE]) {
      secret = req.cookies[SESSION_COOKIE];
      via = 'cookie';
    }
    if (!secret) throw new AppError('UNAUTHENTICATED', 'Log in or send a bearer token.', {}, { 'WWW-Authenticate': 'Bearer' });
    const found = await this.auth.authenticate(secret, { cached: route.cacheable });
    if (!found) throw invalidSession();
    try {
      this.admit(req, found, via, route, secret);
    } catch (e) {
      if (!found.cached) throw e;
      // a refusal is never decided on cached data: the session as the database has it now decides
      const fresh = await this.auth.authenticate(secret);
      if (!fresh) throw invalidSession();
      this.admit(req, fresh, via, route, secret);
    }
    return true;
  }

  /** CSRF, token scope and roles; sets req.user. Throws the refusal. */
  private admit(
    req: AuthedRequest,
    found: NonNullable<Awaited<ReturnType<AuthService['authenticate']>>>,
    via: 'bearer' | 'cookie',
    route: RouteAuth,
    secret: string,
  ): void {
    if (via === 'cookie' && !SAFE_METHODS.has(req.method)) {
      // the header must carry this session's own token (derived from the session), not merely match a cookie
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !safeEqual(sent, this.auth.csrfFor(secret))) {
        throw new AppError(
          'CSRF_FAILED',
          `Cookie-authenticated writes must send the ${CSRF_HEADER} header with this session's ${CSRF_COOKIE} cookie value.`,
        );
      }
    }

    const { user, token } = found;
    req.user = {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      unitId: user.unitId,
      roles: user.roles,
      clearance: user.clearance,
      authority: user.authority,
      via,
      tokenId: token.id,
      tokenScope: token.scope,
      ...(found.cached ? { sessionCached: true as const } : {}),
    };

    const needed = route.minScope ?? (SAFE_METHODS.has(req.method) ? 'read' : 'full');
    if (SCOPE_RANK[token.scope] < SCOPE_RANK[needed]) {
      throw new AppError('TOKEN_SCOPE', `This token's scope "${token.scope}" does not allow this; it needs "${needed}".`);
    }

    const roles = route.roles;
    if (roles?.length && !roles.some((r) => user.roles.includes(r))) {
      throw new AppError('FORBIDDEN_ROLE', `This needs one of the roles: ${roles.join(', ')}.`);
    }
  }
}
