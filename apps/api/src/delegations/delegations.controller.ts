import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DELEGATION_SCOPES } from '#gongwen/authority';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser, RequireScope, Roles } from '../auth/decorators.js';
import { ApiProblems, ApiZodBody, ApiZodQuery, ApiZodResponse, named } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.js';
import { DelegationsService } from './delegations.service.js';

const Scope = named('DelegationScope', z.enum(DELEGATION_SCOPES).describe('sign = 签发; read = 阅文 (circulation reading)'));
const Instant = z.iso.datetime({ offset: true });
const CreateBody = z.strictObject({
  principalId: z.uuid().optional().describe('An administrator names the absent leader; everyone else delegates for himself'),
  deputyId: z.uuid(),
  scopes: z.array(Scope).min(1).max(DELEGATION_SCOPES.length),
  startsAt: Instant.optional().describe('Default: now'),
  endsAt: Instant,
  reason: z.string().trim().min(1).max(500),
});
const RevokeBody = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });
const ActionsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) });

const Person = z.object({ id: z.uuid(), name: z.string().nullable() });
const Delegation = named(
  'Delegation',
  z.object({
    id: z.uuid(),
    principal: Person,
    deputy: Person,
    scopes: z.array(Scope),
    startsAt: z.string(),
    endsAt: z.string(),
    reason: z.string(),
    status: z.enum(['upcoming', 'active', 'ended', 'revoked']),
    createdBy: z.uuid(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
    revokedBy: z.uuid().nullable(),
    revokeReason: z.string().nullable(),
  }),
);
const DelegatedAction = named(
  'DelegatedAction',
  z.object({
    documentId: z.uuid(),
    workflow: z.string(),
    title: z.string().nullable().describe('null when the document is above your clearance now'),
    eventType: z.string(),
    fromState: z.string(),
    toState: z.string(),
    deputy: Person,
    at: z.string(),
    opinion: z.string().nullable(),
  }),
);

@ApiTags('delegations')
@Controller('api/delegations')
export class DelegationsController {
  constructor(private readonly delegations: DelegationsService) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({ operationId: 'listDelegations', summary: 'Delegations (委托) you gave and received, current and past' })
  @ApiZodResponse(200, named('DelegationList', z.object({ given: z.array(Delegation), received: z.array(Delegation) })))
  @ApiProblems()
  list(@CurrentUser() user: AuthUser) {
    return this.delegations.list(user);
  }

  @Post()
  @Roles('signer', 'reader', 'leader', 'admin')
  @ApiOperation({
    operationId: 'createDelegation',
    summary:
      'Delegate signing (签发) and/or reading (阅文) to a deputy of the same office for a period (at most 90 days); an administrator may do it for an absent leader',
  })
  @ApiZodBody(CreateBody)
  @ApiZodResponse(201, Delegation)
  @ApiProblems(403, 409, 422)
  create(@CurrentUser() user: AuthUser, @Body(new ZodPipe(CreateBody)) body: z.infer<typeof CreateBody>) {
    return this.delegations.create(user, body);
  }

  @Get('actions')
  @RequireScope('read')
  @ApiOperation({ operationId: 'listDelegatedActions', summary: 'What deputies did on your behalf (代签/代阅), newest first' })
  @ApiZodQuery(z.object(ActionsQuery.shape))
  @ApiZodResponse(200, named('DelegatedActionList', z.object({ items: z.array(DelegatedAction) })))
  @ApiProblems()
  actions(@CurrentUser() user: AuthUser, @Query(new ZodPipe(ActionsQuery)) q: z.infer<typeof ActionsQuery>) {
    return this.delegations.actions(user, q.limit);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({ operationId: 'revokeDelegation', summary: 'End a delegation now (the principal, the deputy or an administrator)' })
  @ApiZodBody(RevokeBody)
  @ApiZodResponse(200, Delegation)
  @ApiProblems(404, 409)
  revoke(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body(new ZodPipe(RevokeBody.optional())) body: z.infer<typeof RevokeBody> | undefined,
  ) {
    return this.delegations.revoke(user, id, body?.reason);
  }
}
