import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { sortZh } from '../../../../libs/document/src/index.js';
import { ROLES } from '../../../../workflows/outgoing/types.js';
import { ApiProblems, ApiZodQuery, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.js';

const DirectoryQuery = z.strictObject({ role: z.enum(ROLES).optional() });
const Entry = z.object({ id: z.uuid(), username: z.string(), displayName: z.string(), unitName: z.string().nullable(), roles: z.array(z.string()) });

/** The office's directory: who is who, for picking drafters, discussants and readers. No clearances or scopes. */
@ApiTags('users')
@Controller('api/users')
export class DirectoryController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  @ApiOperation({ operationId: 'listDirectory', summary: 'Active users with their unit and roles (optionally one role)' })
  @ApiZodQuery(DirectoryQuery)
  @ApiZodResponse(200, z.object({ items: z.array(Entry) }))
  @ApiProblems()
  async list(@Query(new ZodPipe(DirectoryQuery)) q: z.infer<typeof DirectoryQuery>) {
    const rows: { id: string; username: string; display_name: string; unit_name: string | null; roles: string[] }[] = await this.db.query(
      `SELECT u.id, u.username, u.display_name, un.name AS unit_name, u.roles FROM users u LEFT JOIN units un ON un.id = u.unit_id
        WHERE u.active AND ($1::text IS NULL OR $1 = ANY(u.roles))`,
      [q.role ?? null],
    );
    // by unit, then by name, in pinyin order (as a printed directory)
    return { items: sortZh(rows, (r) => r.unit_name, (r) => r.display_name, (r) => r.username).map((r) => ({ id: r.id, username: r.username, displayName: r.display_name, unitName: r.unit_name, roles: r.roles })) };
  }
}
