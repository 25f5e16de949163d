import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../auth/tokens.js';
import { AppError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Public } from '../auth/decorators.js';
import { metricsRegistry } from './metrics.js';

@ApiTags('health')
@Controller()
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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
  async metrics(@Req() req: FastifyRequest, @Res() res: FastifyReply) {
    // for the operators' scraper only (GONGWEN_METRICS_TOKEN); without one configured there are no metrics here
    const token = this.config.GONGWEN_METRICS_TOKEN;
    if (!token) throw new AppError('ROUTE_NOT_FOUND', 'No such route.');
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m || !safeEqual(m[1], token)) {
      throw new AppError(
        'UNAUTHENTICATED',
        'Send the metrics token (GONGWEN_METRICS_TOKEN) as a bearer token.',
        {},
        { 'WWW-Authenticate': 'Bearer realm="metrics"' },
      );
    }
    res.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  }
}
