import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser, RequireScope } from '../auth/decorators.js';
import { ApiProblems, ApiZodQuery, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.js';
import { EventFeed, EventsQuery } from './contract.js';
import { EventsService } from './events.service.js';

@ApiTags('events')
@Controller('api/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({
    operationId: 'listEvents',
    summary:
      'Events about documents I can see now (state changes, my tasks, registered, signed, returned, filed, …), after a cursor; `wait` long-polls',
  })
  @ApiZodQuery(EventsQuery)
  @ApiZodResponse(200, EventFeed)
  @ApiProblems()
  async list(
    @CurrentUser() user: AuthUser,
    @Query(new ZodPipe(EventsQuery)) q: EventsQuery,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    // a client that hangs up ends its long poll
    const gone = new AbortController();
    const onClose = () => gone.abort();
    res.raw.once('close', onClose);
    try {
      return await this.events.feed(user, q, gone.signal);
    } finally {
      res.raw.off('close', onClose);
    }
  }
}
