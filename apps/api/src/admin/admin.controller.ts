import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CLASSIFICATION_LEVELS, DOCUMENT_KINDS } from '../../../../libs/document/src/model.js';
import { ROLES } from '../../../../workflows/outgoing/types.js';
import { ApiProblems, ApiZodBody, ApiZodResponse, named } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.js';
import { Roles } from '../auth/decorators.js';
import { AdminService } from './admin.service.js';

const Authority = z.strictObject({
  issuerUnitIds: z.array(z.uuid()).min(1),
  kinds: z.array(z.enum(DOCUMENT_KINDS)).default([]),
  maxClassification: z.enum(CLASSIFICATION_LEVELS).default('none'),
});
export const CreateUserBody = z.strictObject({
  username: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9._-]{1,49}$/, 'letters, digits, . _ - (2-50)'),
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
  fondsCode: z.string().trim().regex(/^[A-Za-z0-9]{4}$/, '4 characters').nullable().default(null),
});
const AdminUser = named('AdminUser', z.object({
  id: z.uuid(), username: z.string(), displayName: z.string(), unitId: z.uuid().nullable(), roles: z.array(z.enum(ROLES)),
  clearance: z.enum(CLASSIFICATION_LEVELS), authority: z.object({ issuerUnitIds: z.array(z.uuid()), kinds: z.array(z.enum(DOCUMENT_KINDS)), maxClassification: z.enum(CLASSIFICATION_LEVELS) }).nullable(), active: z.boolean(),
}));
const AdminUserList = named('AdminUserList', z.object({ items: z.array(AdminUser) }));
const Unit = named('AdminUnit', z.object({ id: z.uuid(), name: z.string(), code: z.string().nullable(), kind: z.enum(['issuer', 'section', 'reader_unit', 'leadership']), parentId: z.uuid().nullable(), fondsCode: z.string().nullable() }));
const UnitList = named('AdminUnitList', z.object({ items: z.array(Unit) }));

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
  @ApiProblems(403, 409)
  createUser(@Body(new ZodPipe(CreateUserBody)) body: z.infer<typeof CreateUserBody>) {
    return this.admin.createUser(body);
  }

  @Patch('users/:id')
  @ApiOperation({ operationId: 'adminUpdateUser', summary: "Change a user's roles, clearance, authority, password or status" })
  @ApiZodBody(UpdateUserBody)
  @ApiZodResponse(200, AdminUser)
  @ApiProblems(403, 404)
  updateUser(@Param('id', new ParseUUIDPipe()) id: string, @Body(new ZodPipe(UpdateUserBody)) body: z.infer<typeof UpdateUserBody>) {
    return this.admin.updateUser(id, body);
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
