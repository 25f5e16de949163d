import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Inject } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { AppError } from '../common/errors.js';
import { ApiProblems, ApiZodBody, ApiZodResponse, named } from '../common/openapi.js';
import { CLASSIFICATION_LEVELS } from '#gongwen/document/model';
import { ROLES } from '#gongwen/workflows/outgoing/types';
import { ZodPipe } from '../common/zod.js';
import { AuthService, toPublicUser } from './auth.service.js';
import { CSRF_COOKIE, SESSION_COOKIE, type AuthedRequest, type AuthUser } from './auth.types.js';
import { CurrentUser, Public, RequireScope } from './decorators.js';

const LoginBody = z.strictObject({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(1000),
});
const UserSchema = named(
  'CurrentUser',
  z.object({
    id: z.uuid(),
    username: z.string(),
    displayName: z.string(),
    unitId: z.uuid().nullable(),
    roles: z.array(z.enum(ROLES)),
    clearance: z.enum(CLASSIFICATION_LEVELS),
  }),
);
const LoginResponse = named(
  'LoginResult',
  z.object({ token: z.string().describe('Opaque bearer token'), expiresAt: z.iso.datetime(), user: UserSchema }),
);
const CreateTokenBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scope: z.enum(['read', 'draft', 'full']).default('read'),
  expiresInDays: z.number().int().min(1).max(366).default(30),
});
const TokenSchema = named(
  'ApiToken',
  z.object({
    id: z.uuid(),
    name: z.string().nullable(),
    scope: z.enum(['read', 'draft', 'full']),
    prefix: z.string(),
    expiresAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable(),
    lastUsedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  }),
);
const NewToken = named('NewApiToken', TokenSchema.extend({ token: z.string().describe('The secret, shown only this once') }));
const TokenList = named('ApiTokenList', z.object({ items: z.array(TokenSchema) }));

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ operationId: 'login', summary: 'Log in: returns a bearer token and sets the HttpOnly session cookie' })
  @ApiZodBody(LoginBody)
  @ApiZodResponse(200, LoginResponse)
  @ApiProblems()
  async login(
    @Body(new ZodPipe(LoginBody)) body: z.infer<typeof LoginBody>,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const { token, expiresAt, user } = await this.auth.login(body.username, body.password, req.ip ?? 'unknown');
    const common = { sameSite: 'strict' as const, secure: this.config.COOKIE_SECURE, path: '/', expires: expiresAt };
    res.setCookie(SESSION_COOKIE, token, { ...common, httpOnly: true });
    // the session's CSRF token (an HMAC of it): readable by the page's script, echoed in the X-CSRF-Token header
    res.setCookie(CSRF_COOKIE, this.auth.csrfFor(token), { ...common, httpOnly: false });
    return { token, expiresAt: expiresAt.toISOString(), user: toPublicUser(user) };
  }

  @Post('logout')
  @HttpCode(204)
  @RequireScope('read')
  @ApiOperation({ operationId: 'logout', summary: 'End the current session (revokes the token or cookie used)' })
  @ApiProblems()
  async logout(@CurrentUser() user: AuthUser, @Res({ passthrough: true }) res: FastifyReply) {
    await this.auth.revoke(user.tokenId, user.id);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.clearCookie(CSRF_COOKIE, { path: '/' });
  }

  @Get('me')
  @ApiCookieAuth()
  @ApiOperation({ operationId: 'getCurrentUser', summary: 'The authenticated user' })
  @ApiZodResponse(200, UserSchema)
  @ApiProblems()
  me(@CurrentUser() user: AuthUser) {
    return toPublicUser(user);
  }

  @Post('tokens')
  @ApiOperation({
    operationId: 'createApiToken',
    summary: 'Create a personal API token; the secret is shown only once. One made with a personal token expires no later than that token',
  })
  @ApiZodBody(CreateTokenBody)
  @ApiZodResponse(201, NewToken)
  @ApiProblems(403)
  async createToken(@CurrentUser() user: AuthUser, @Body(new ZodPipe(CreateTokenBody)) body: z.infer<typeof CreateTokenBody>) {
    if (user.via === 'bearer' && user.tokenScope !== 'full') {
      throw new AppError('TOKEN_SCOPE', 'A personal token cannot create tokens.');
    }
    const requested = new Date(Date.now() + body.expiresInDays * 86400_000);
    const limit = user.via === 'bearer' ? await this.auth.mintingLimit(user.tokenId) : null;
    const expiresAt = limit && limit < requested ? limit : requested;
    const { secret, row } = await this.auth.issue(user.id, 'personal', body.name, body.scope, expiresAt);
    return { ...serialiseToken(row), token: secret };
  }

  @Get('tokens')
  @ApiOperation({ operationId: 'listApiTokens', summary: "The caller's personal API tokens (never the secrets)" })
  @ApiZodResponse(200, TokenList)
  @ApiProblems()
  async listTokens(@CurrentUser() user: AuthUser) {
    return { items: (await this.auth.listPersonalTokens(user.id)).map(serialiseToken) };
  }

  @Delete('tokens/:id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'revokeApiToken', summary: 'Revoke a personal API token' })
  @ApiProblems(404)
  async revokeToken(@CurrentUser() user: AuthUser, @Param('id', new ParseUUIDPipe()) id: string, @Req() _req: AuthedRequest) {
    if (!(await this.auth.revoke(id, user.id))) throw new AppError('NOT_FOUND', 'No such active token.');
  }
}

function serialiseToken(t: {
  id: string;
  name: string | null;
  scope: string;
  prefix: string;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}) {
  return {
    id: t.id,
    name: t.name,
    scope: t.scope,
    prefix: t.prefix,
    expiresAt: t.expiresAt.toISOString(),
    revokedAt: t.revokedAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
  };
}
