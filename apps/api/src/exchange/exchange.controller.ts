import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser, Roles } from '../auth/decorators.js';
import { ApiProblems, ApiZodResponse, named } from '../common/openapi.js';
import { ExchangeService } from './exchange.service.js';

const uuid = z.uuid();
const time = z.iso.datetime({ offset: true });
const Person = z.object({ id: uuid, displayName: z.string() });

/** One recipient unit's 签收回执: delivered, signed for (who, when) or returned (who, when, why). */
export const Receipt = named(
  'Receipt',
  z.object({
    unitId: uuid,
    unitName: z.string(),
    role: z.enum(['main', 'copy']).describe('主送 (main) or 抄送 (copy)'),
    status: z.enum(['delivered', 'signed', 'returned']),
    deliveredAt: time,
    signedBy: Person.nullable(),
    signedAt: time.nullable(),
    returnedBy: Person.nullable(),
    returnedAt: time.nullable(),
    returnReason: z.string().nullable().describe('退文: the reasons the recipient gave'),
  }),
);
export const ReceiptList = named(
  'ReceiptList',
  z.object({
    items: z.array(Receipt),
    outside: z
      .array(z.object({ role: z.enum(['main', 'copy']), name: z.string() }))
      .describe('Recipients named in free text: outside the deployment, nothing was delivered to them'),
  }),
);

export const UnitGroup = named(
  'UnitGroup',
  z.object({
    id: uuid,
    name: z.string(),
    members: z.array(z.object({ id: uuid, name: z.string() })).describe('The units it expands to at delivery, in order'),
  }),
);
export const UnitGroupList = named('UnitGroupList', z.object({ items: z.array(UnitGroup) }));

@ApiTags('exchange')
@Controller('api')
export class ExchangeController {
  constructor(private readonly exchange: ExchangeService) {}

  @Get('documents/:id/receipts')
  @ApiOperation({
    operationId: 'listReceipts',
    summary: 'The 签收回执 of a registered outgoing document: per recipient unit delivered, signed for or returned',
  })
  @ApiZodResponse(200, ReceiptList)
  @ApiProblems(404)
  receipts(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.exchange.receipts(user, id);
  }

  @Get('unit-groups')
  @Roles('chief', 'secretary', 'clerk', 'registrar')
  @ApiOperation({ operationId: 'listUnitGroups', summary: 'Groups of units (区直各单位) that recipients can name, with their members' })
  @ApiZodResponse(200, UnitGroupList)
  @ApiProblems(403)
  unitGroups() {
    return this.exchange.unitGroups();
  }
}
