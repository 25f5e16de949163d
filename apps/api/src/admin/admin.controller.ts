import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CLASSIFICATION_LEVELS, DOCUMENT_KINDS } from '#gongwen/document/model';
import { ROLES } from '#gongwen/workflows/outgoing/types';
import type { FastifyReply } from 'fastify';
import { ApiProblems, ApiZodBody, ApiZodQuery, ApiZodResponse, named } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.js';
import { CurrentUser, Roles } from '../auth/decorators.js';
import type { AuthUser } from '../auth/auth.types.js';
import { parseAdminAuditAnchor } from './admin.audit.js';
import { AdminService } from './admin.service.js';

const Authority = z.strictObject({
  issuerUnitIds: z.array(z.uuid()).min(1),
  kinds: z.array(z.enum(DOCUMENT_KINDS)).default([]),
  maxClassification: z.enum(CLASSIFICATION_LEVELS).default('none'),
});
export const CreateUserBody = z.strictObject({
  username: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9._-]{1,49}$/, 'letters, digits, . _ - (2-50)'),
  displayName: z.string().trim().min(1).max(100),
  password: z.string().min(12).max(200),
  unitId: z.uuid().nullable().default(null),
  roles: z.array(z.enum(ROLES)).min(1),
  clearance: z.enum(CLASSIFICATION_LEVELS).default('none'),
  authority: Authority.nullable().default(null),
});
const UpdateUserBody = z.strictObject({
  displayName: z.string().trim().min(1).max(100).optional(),
  password: z.string().min(12).max(200).optional(),
  unitId: z.uuid().nullable().optional(),
  roles: z.array(z.enum(ROLES)).min(1).optional(),
  clearance: z.enum(CLASSIFICATION_LEVELS).optional(),
  authority: Authority.nullable().optional(),
  active: z.boolean().optional(),
});
const CreateUnitBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  code: z.string().trim().min(1).max(20).nullable().default(null),
  kind: z.enum(['issuer', 'section', 'reader_unit', 'leadership']),
  parentId: z.uuid().nullable().default(null),
  fondsCode: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{4}$/, '4 characters')
    .nullable()
    .default(null),
});
const AdminUser = named(
  'AdminUser',
  z.object({
    id: z.uuid(),
    username: z.string(),
    displayName: z.string(),
    unitId: z.uuid().nullable(),
    roles: z.array(z.enum(ROLES)),
    clearance: z.enum(CLASSIFICATION_LEVELS),
    authority: z
      .object({
        issuerUnitIds: z.array(z.uuid()),
        kinds: z.array(z.enum(DOCUMENT_KINDS)),
        maxClassification: z.enum(CLASSIFICATION_LEVELS),
      })
      .nullable(),
    active: z.boolean(),
  }),
);
const AdminUserList = named('AdminUserList', z.object({ items: z.array(AdminUser) }));
const Unit = named(
  'AdminUnit',
  z.object({
    id: z.uuid(),
    name: z.string(),
    code: z.string().nullable(),
    kind: z.enum(['issuer', 'section', 'reader_unit', 'leadership']),
    parentId: z.uuid().nullable(),
    fondsCode: z.string().nullable(),
  }),
);
const UnitList = named('AdminUnitList', z.object({ items: z.array(Unit) }));
const Approval = named(
  'AdminApproval',
  z.object({
    id: z.uuid(),
    targetUserId: z.uuid(),
    change: z.object({ roles: z.array(z.string()), clearance: z.string(), authority: Authority.nullable(), active: z.boolean() }).partial(),
    status: z.enum(['pending', 'approved', 'rejected']),
    requestedBy: z.uuid(),
    requestedAt: z.iso.datetime(),
    decidedBy: z.uuid().nullable(),
    decidedAt: z.iso.datetime().nullable(),
  }),
);
const AdminUserPending = named('AdminUserPendingApproval', AdminUser.extend({ pendingApproval: Approval }));
const DecisionBody = z.strictObject({ opinion: z.string().trim().max(500).default('') });
const ApprovalsQuery = z.strictObject({ status: z.enum(['pending', 'approved', 'rejected']).optional() });
const AuditQuery = z.strictObject({ targetUserId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });
const AuditEntry = named(
  'AdminAuditEntry',
  z.object({
    seq: z.number().int(),
    at: z.iso.datetime(),
    actorId: z.uuid(),
    actor: z.string().nullable(),
    action: z.string(),
    targetUserId: z.uuid().nullable(),
    target: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
    hash: z.string(),
  }),
);
const AuditVerification = named(
  'AdminAuditVerification',
  z.object({
    ok: z.boolean(),
    entries: z.number().int(),
    firstBroken: z.object({ seq: z.number().int(), problem: z.enum(['hash', 'link', 'gap', 'anchor']) }).nullable(),
    head: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
  }),
);
const VerifyQuery = z.strictObject({
  expected: z
    .string()
    .regex(/^\d{1,15}:[0-9a-f]{64}$/, 'seq:hash of an entry recorded earlier (the head a verify printed)')
    .optional(),
});

/** Users, units, roles and authority scopes. Administrators never act on documents. */
@ApiTags('admin')
@Controller('api/admin')
@Roles('admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Get('users')
  @ApiOperation({ operationId: 'adminListUsers', summary: 'List users' })
  @ApiZodResponse(200, AdminUserList)
  @ApiProblems(403)
  async listUsers() {
    return { items: await this.admin.listUsers() };
  }

  @Post('users')
  @ApiOperation({ operationId: 'adminCreateUser', summary: 'Create a user with roles, clearance and authority scope' })
  @ApiZodBody(CreateUserBody)
  @ApiZodResponse(201, AdminUser)
  @ApiZodResponse(202, AdminUserPending)
  @ApiProblems(403, 409)
  async createUser(
    @CurrentUser() actor: AuthUser,
    @Body(new ZodPipe(CreateUserBody)) body: z.infer<typeof CreateUserBody>,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const user = await this.admin.createUser(actor, body);
    // with GONGWEN_ADMIN_APPROVAL the user exists but is inactive until a second administrator approves
    if ('pendingApproval' in user) res.status(202);
    return user;
  }

  @Patch('users/:id')
  @ApiOperation({ operationId: 'adminUpdateUser', summary: "Change a user's roles, clearance, authority, password or status" })
  @ApiZodBody(UpdateUserBody)
  @ApiZodResponse(200, AdminUser)
  @ApiZodResponse(202, AdminUserPending)
  @ApiProblems(403, 404)
  async updateUser(
    @CurrentUser() actor: AuthUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodPipe(UpdateUserBody)) body: z.infer<typeof UpdateUserBody>,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const user = await this.admin.updateUser(actor, id, body);
    // with GONGWEN_ADMIN_APPROVAL a grant waits for a second administrator; the rest of the change is applied
    if ('pendingApproval' in user) res.status(202);
    return user;
  }

  @Get('approvals')
  @ApiOperation({
    operationId: 'adminListApprovals',
    summary: 'Grants of roles, clearance, authority or activation waiting for (or decided by) a second administrator',
  })
  @ApiZodQuery(z.object(ApprovalsQuery.shape))
  @ApiZodResponse(200, z.object({ items: z.array(Approval) }))
  @ApiProblems(403)
  listApprovals(@Query(new ZodPipe(ApprovalsQuery)) q: z.infer<typeof ApprovalsQuery>) {
    return this.admin.listApprovals(q.status);
  }

  @Post('approvals/:id/approve')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'adminApproveGrant',
    summary: 'Approve a pending grant (not one you requested or one of your own): it is applied now',
  })
  @ApiZodBody(DecisionBody)
  @ApiZodResponse(200, Approval)
  @ApiProblems(403, 404, 409)
  approve(
    @CurrentUser() actor: AuthUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodPipe(DecisionBody)) body: z.infer<typeof DecisionBody>,
  ) {
    return this.admin.decideApproval(actor, id, 'approve', body.opinion);
  }

  @Post('approvals/:id/reject')
  @HttpCode(200)
  @ApiOperation({ operationId: 'adminRejectGrant', summary: 'Reject a pending grant (not one you requested)' })
  @ApiZodBody(DecisionBody)
  @ApiZodResponse(200, Approval)
  @ApiProblems(403, 404, 409)
  reject(
    @CurrentUser() actor: AuthUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodPipe(DecisionBody)) body: z.infer<typeof DecisionBody>,
  ) {
    return this.admin.decideApproval(actor, id, 'reject', body.opinion);
  }

  @Get('audit')
  @Roles('admin', 'auditor')
  @ApiOperation({
    operationId: 'adminAuditLog',
    summary: "The administrators' hash-chained audit log: user changes, grants, approvals, refused self-changes (newest first)",
  })
  @ApiZodQuery(z.object(AuditQuery.shape))
  @ApiZodResponse(200, z.object({ items: z.array(AuditEntry) }))
  @ApiProblems(403)
  auditLog(@Query(new ZodPipe(AuditQuery)) q: z.infer<typeof AuditQuery>) {
    return this.admin.auditLog(q);
  }

  @Get('audit/verify')
  @Roles('admin', 'auditor')
  @ApiOperation({
    operationId: 'adminVerifyAuditLog',
    summary:
      "Recompute the administrators' audit chain: the first changed, inserted or removed entry; the head to record; with expected=seq:hash, that recorded entry must still be there",
  })
  @ApiZodQuery(z.object(VerifyQuery.shape))
  @ApiZodResponse(200, AuditVerification)
  @ApiProblems(403)
  verifyAuditLog(@Query(new ZodPipe(VerifyQuery)) q: z.infer<typeof VerifyQuery>) {
    return this.admin.verifyAuditLog(q.expected ? parseAdminAuditAnchor(q.expected)! : undefined);
  }

  @Get('units')
  @ApiOperation({ operationId: 'adminListUnits', summary: 'List organisational units (issuing bodies, sections, reader units)' })
  @ApiZodResponse(200, UnitList)
  @ApiProblems(403)
  async listUnits() {
    return { items: await this.admin.listUnits() };
  }

  @Post('units')
  @ApiOperation({ operationId: 'adminCreateUnit', summary: 'Create an organisational unit' })
  @ApiZodBody(CreateUnitBody)
  @ApiZodResponse(201, Unit)
  @ApiProblems(403, 409)
  createUnit(@Body(new ZodPipe(CreateUnitBody)) body: z.infer<typeof CreateUnitBody>) {
    return this.admin.createUnit(body);
  }
}
