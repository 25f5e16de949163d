import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { DataSource, IsNull } from 'typeorm';
import { AuthTokenEntity, TokenScope, UserEntity } from '#gongwen/persistence';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { AppError } from '../common/errors.js';
import { selectValidSessionByHash, selectValidSessionUser } from '../engine/repositories/sessions.js';
import type { AuthUser } from './auth.types.js';
import { csrfToken, hashSecret, newSecret } from './tokens.js';

export interface PublicUser {
  id: string;
  username: string;
  displayName: string;
  unitId: string | null;
  roles: string[];
  clearance: string;
}

export function toPublicUser(u: UserEntity | AuthUser): PublicUser {
  return { id: u.id, username: u.username, displayName: u.displayName, unitId: u.unitId, roles: [...u.roles], clearance: u.clearance };
}

// Verified for unknown users so that an unknown user and a wrong password take the same time.
let dummyHash: Promise<string> | undefined;
const getDummyHash = () => (dummyHash ??= argon2.hash(randomBytes(16).toString('hex')));

const LOGIN_WINDOW_SECONDS = 15 * 60;
const MAX_FAILURES_PER_ACCOUNT = 5;
const MAX_FAILURES_PER_ADDRESS = 30;

/** How many cached sessions are kept (the oldest goes first); how long, GONGWEN_SESSION_CACHE_SECONDS. */
const SESSION_CACHE_MAX = 10_000;

@Injectable()
export class AuthService {
  /** Token hash → session, for @SessionCheckedAtWrite routes only (see authenticate). */
  private readonly sessions = new Map<string, { found: { user: UserEntity; token: AuthTokenEntity }; until: number }>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(username: string, password: string, address = 'unknown'): Promise<{ token: string; expiresAt: Date; user: UserEntity }> {
    const name = username.trim().toLowerCase();
    const keys = [`user:${name}`, `ip:${address}`];
    await this.assertNotThrottled(keys);
    const user = await this.db.getRepository(UserEntity).findOneBy({ username: name });
    const ok = await argon2.verify(user?.passwordHash ?? (await getDummyHash()), password).catch(() => false);
    if (!user || !ok || !user.active) {
      await this.recordFailure(keys);
      throw new AppError('INVALID_CREDENTIALS', 'The username or password is incorrect.');
    }
    await this.db.query(`DELETE FROM login_failures WHERE key = $1`, [keys[0]]);
    const expiresAt = new Date(Date.now() + this.config.SESSION_TTL_HOURS * 3600_000);
    const { secret } = await this.issue(user.id, 'session', null, 'full', expiresAt);
    return { token: secret, expiresAt, user };
  }

  /**
   * Throttling per account and per address, in the database so that it holds across API instances.
   * The message does not say which limit was hit, nor whether the account exists.
   */
  private async assertNotThrottled(keys: string[]): Promise<void> {
    const rows: { key: string; failures: number; window_start: Date }[] = await this.db.query(
      `SELECT key, failures, window_start FROM login_failures WHERE key = ANY($1) AND window_start > now() - make_interval(secs => $2)`,
      [keys, LOGIN_WINDOW_SECONDS],
    );
    const blocked = rows.find((r) => r.failures >= (r.key.startsWith('user:') ? MAX_FAILURES_PER_ACCOUNT : MAX_FAILURES_PER_ADDRESS));
    if (blocked) {
      const retry = Math.max(1, Math.ceil((new Date(blocked.window_start).getTime() + LOGIN_WINDOW_SECONDS * 1000 - Date.now()) / 1000));
      throw new AppError('TOO_MANY_REQUESTS', 'Too many failed logins; wait and try again.', {}, { 'Retry-After': String(retry) });
    }
  }

  private async recordFailure(keys: string[]): Promise<void> {
    for (const key of keys) {
      await this.db.query(
        `INSERT INTO login_failures (key, window_start, failures) VALUES ($1, now(), 1)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN login_failures.window_start > now() - make_interval(secs => $2) THEN login_failures.failures + 1 ELSE 1 END,
           window_start = CASE WHEN login_failures.window_start > now() - make_interval(secs => $2) THEN login_failures.window_start ELSE now() END`,
        [key, LOGIN_WINDOW_SECONDS],
      );
    }
  }

  /** The CSRF token bound to a cookie session (see csrfToken). */
  csrfFor(sessionSecret: string): string {
    // the deployment's master key when configured; otherwise the secret alone keys it (an HttpOnly cookie that
    // the page's script cannot read), which still binds the token to the session
    return csrfToken(sessionSecret, `gongwen-csrf:${this.config.GONGWEN_MASTER_KEY ?? ''}`);
  }

  async verifyPassword(userId: string, password: string): Promise<boolean> {
    const user = await this.db.getRepository(UserEntity).findOneBy({ id: userId });
    return !!user && (await argon2.verify(user.passwordHash, password).catch(() => false));
  }

  async issue(
    userId: string,
    kind: 'session' | 'personal',
    name: string | null,
    scope: TokenScope,
    expiresAt: Date,
  ): Promise<{ secret: string; row: AuthTokenEntity }> {
    const secret = newSecret(kind);
    const repo = this.db.getRepository(AuthTokenEntity);
    const row = await repo.save(
      repo.create({
        userId,
        kind,
        name,
        scope,
        tokenHash: hashSecret(secret),
        prefix: secret.slice(0, 10),
        expiresAt,
        revokedAt: null,
        lastUsedAt: null,
      }),
    );
    return { secret, row };
  }

  /**
   * The session a secret belongs to, or null when unknown, expired, revoked or its user inactive. With `cached`,
   * an answer from the last GONGWEN_SESSION_CACHE_SECONDS (default 5; 0 turns the cache off) may be reused
   * (`cached: true` in the result): only for routes whose write re-checks the session itself
   * (@SessionCheckedAtWrite), so a revoked token, a deactivated user or changed rights can never commit a
   * write through a stale entry — they only save the lookup on the way there.
   */
  async authenticate(
    secret: string,
    opts: { cached?: boolean } = {},
  ): Promise<{ user: UserEntity; token: AuthTokenEntity; cached?: true } | null> {
    const hash = hashSecret(secret);
    const ttlMs = this.config.GONGWEN_SESSION_CACHE_SECONDS * 1000;
    if (opts.cached && ttlMs > 0) {
      const hit = this.sessions.get(hash);
      // copies: nothing a request does to its user can change the cached entry
      if (hit && hit.until > Date.now())
        return {
          user: Object.assign(new UserEntity(), hit.found.user, { roles: [...hit.found.user.roles] }),
          token: hit.found.token,
          cached: true,
        };
      if (hit) this.sessions.delete(hash);
    }
    const r = await selectValidSessionByHash(this.db.manager, hash);
    if (!r) return null;
    const user = Object.assign(new UserEntity(), {
      id: r.id,
      username: r.username,
      displayName: r.display_name,
      passwordHash: '',
      unitId: r.unit_id,
      roles: r.roles,
      clearance: r.clearance,
      authority: r.authority,
      active: r.active,
    });
    const token = Object.assign(new AuthTokenEntity(), { id: r.token_id, scope: r.scope, kind: r.kind });
    if (opts.cached && ttlMs > 0) {
      if (this.sessions.size >= SESSION_CACHE_MAX) this.sessions.delete(this.sessions.keys().next().value!);
      this.sessions.set(hash, { found: { user, token }, until: Math.min(Date.now() + ttlMs, new Date(r.expires_at).getTime()) });
    }
    return { user, token };
  }

  /**
   * The caller's session as the database has it now (uncached), or null when the token was revoked or
   * expired or the user deactivated. Drops the token's cache entries.
   */
  async currentSession(user: AuthUser): Promise<AuthUser | null> {
    this.forgetToken(user.tokenId);
    const r = await selectValidSessionUser(this.db.manager, user.tokenId);
    if (!r) return null;
    const { sessionCached: _c, ...rest } = user;
    return {
      ...rest,
      id: r.id,
      username: r.username,
      displayName: r.display_name,
      unitId: r.unit_id,
      roles: r.roles,
      clearance: r.clearance,
      authority: r.authority,
    };
  }

  private forgetToken(tokenId: string): void {
    for (const [hash, s] of this.sessions) if (s.found.token.id === tokenId) this.sessions.delete(hash);
  }

  async revoke(tokenId: string, userId: string): Promise<boolean> {
    const res = await this.db
      .getRepository(AuthTokenEntity)
      .update({ id: tokenId, userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    // after the commit: a request that looked the token up meanwhile may have cached it again
    this.forgetToken(tokenId);
    return (res.affected ?? 0) > 0;
  }

  /**
   * When a token made now by the caller's token must expire at the latest: a personal token's own expiry (a
   * token minted by a personal token never outlives it, or a leaked token could renew itself for good); null
   * for a session, which makes tokens of any allowed lifetime.
   */
  async mintingLimit(tokenId: string): Promise<Date | null> {
    const parent = await this.db.getRepository(AuthTokenEntity).findOneBy({ id: tokenId });
    return parent?.kind === 'personal' ? parent.expiresAt : null;
  }

  listPersonalTokens(userId: string): Promise<AuthTokenEntity[]> {
    return this.db.getRepository(AuthTokenEntity).find({ where: { userId, kind: 'personal' }, order: { createdAt: 'DESC' } });
  }
}
