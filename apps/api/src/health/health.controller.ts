import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/decorators.js';
import { metricsRegistry } from './metrics.js';

@ApiTags('health')
@Controller()
@Public()
export class HealthController {
  constructor(private readonly health: HealthCheckService, private readonly db: TypeOrmHealthIndicator) {}

  @Get('health/live')
  @ApiOperation({ operationId: 'healthLive', summary: 'The process is up' })
  live() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @HealthCheck()
  @ApiOperation({ operationId: 'healthReady', summary: 'Ready to serve: the database answers' })
  ready() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 2000 })]);
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() res: FastifyReply) {
    res.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  }
}
