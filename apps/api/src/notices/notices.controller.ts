/**
 * Notices: what the system tells one user outside a document — so far, that a webhook subscription of theirs was
 * disabled by its deliveries (410 Gone, or a delivery that failed its whole retry schedule). The outbox relay
 * writes them (apps/api/src/engine/repositories/outbox.ts) and pushes a `notice` event on the user's stream; the
 * web inbox lists the unread ones. Each user sees and marks only their own; anyone else's is NOT_FOUND.
 */
import { Body, Controller, Get, HttpCode, Injectable, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser, RequireScope } from '../auth/decorators.js';
import { AppError } from '../common/errors.js';
import { ApiProblems, ApiZodBody, ApiZodQuery, ApiZodResponse, named } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.js';
import { returned } from '../webhooks/delivery.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ListQuery = z.strictObject({
  unread: z.enum(['true', 'false']).default('false'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

const Notice = named(
  'Notice',
  z.object({
    id: z.uuid(),
    kind: z.enum(['webhook_disabled']),
    createdAt: z.string(),
    readAt: z.string().nullable(),
    webhook: z.object({
      subscriptionId: z.uuid(),
      url: z.string(),
      reason: z.enum(['gone', 'failing']).describe('gone: the endpoint answered 410; failing: a delivery failed every attempt'),
      attempts: z.number().int(),
      lastStatus: z.number().int().nullable(),
      lastError: z.string().nullable(),
    }),
  }),
);

interface NoticeRow {
  id: string;
  kind: string;
  params: Record<string, any>;
  created_at: Date;
  read_at: Date | null;
}

function view(n: NoticeRow): z.infer<typeof Notice> {
  const p = n.params;
  return {
    id: n.id,
    kind: 'webhook_disabled',
    createdAt: n.created_at.toISOString(),
    readAt: n.read_at?.toISOString() ?? null,
    webhook: {
      subscriptionId: p.subscriptionId,
      url: p.url,
      reason: p.reason,
      attempts: p.attempts,
      lastStatus: p.lastStatus ?? null,
      lastError: p.lastError ?? null,
    },
  };
}

@Injectable()
export class NoticesService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(user: AuthUser, q: z.infer<typeof ListQuery>) {
    const rows: NoticeRow[] = await this.db.query(
      `SELECT id, kind, params, created_at, read_at FROM user_notices
        WHERE user_id = $1 AND kind = 'notice.webhook_disabled' AND ($2::boolean = false OR read_at IS NULL)
        ORDER BY created_at DESC, id LIMIT $3`,
      [user.id, q.unread === 'true', q.limit],
    );
    return { items: rows.map(view) };
  }

  async markRead(user: AuthUser, id: string): Promise<void> {
    if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'No such notice.');
    const rows = returned<{ id: string }>(
      await this.db.query(`UPDATE user_notices SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = $2 RETURNING id`, [
        id,
        user.id,
      ]),
    );
    if (!rows.length) throw new AppError('NOT_FOUND', 'No such notice.');
  }
}

@ApiTags('notices')
@Controller('api/notices')
export class NoticesController {
  constructor(private readonly notices: NoticesService) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({ operationId: 'listNotices', summary: 'Your notices, newest first (unread=true: only those not yet marked read)' })
  @ApiZodQuery(z.object(ListQuery.shape))
  @ApiZodResponse(200, named('NoticeList', z.object({ items: z.array(Notice) })))
  @ApiProblems()
  list(@CurrentUser() user: AuthUser, @Query(new ZodPipe(ListQuery)) q: z.infer<typeof ListQuery>) {
    return this.notices.list(user, q);
  }

  @Post(':id/read')
  @HttpCode(204)
  @ApiOperation({ operationId: 'markNoticeRead', summary: 'Mark one of your notices read' })
  @ApiZodBody(z.strictObject({}))
  @ApiProblems(404)
  async markRead(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body(new ZodPipe(z.strictObject({}).optional())) _b: unknown,
  ): Promise<void> {
    await this.notices.markRead(user, id);
  }
}
