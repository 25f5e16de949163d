import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DataSource } from 'typeorm';
import { AdminController } from './admin/admin.controller.js';
import { AdminService } from './admin/admin.service.js';
import { DirectoryController } from './admin/directory.controller.js';
import { AuthController } from './auth/auth.controller.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AuthService } from './auth/auth.service.js';
import { ProblemFilter } from './common/problem.filter.js';
import { APP_CONFIG, type AppConfig } from './config/config.js';
import { HealthController } from './health/health.controller.js';
import { DocumentsModule } from './documents/documents.module.js';
import { SignaturesModule } from './signatures/signatures.module.js';
import { ClassifiedModule } from './classified/classified.module.js';
import { ArchiveModule } from './archive/archive.module.js';
import { SupervisionModule } from './supervision/supervision.module.js';
import { IncomingModule } from './incoming/incoming.module.js';
import { ExchangeModule } from './exchange/exchange.module.js';
import { EventsModule } from './events/events.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { DelegationsModule } from './delegations/delegations.module.js';
import { SealsModule } from './seals/seals.module.js';
import { NoticesModule } from './notices/notices.module.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id when well-formed, otherwise a new one (Fastify's genReqId; echoed back by a hook). */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

@Module({})
export class AppModule {
  /** The DataSource is created (and migrated) before Nest starts; see main.ts and test/support. */
  static forRoot(config: AppConfig, dataSource: DataSource, extra: DynamicModule[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSource.options }),
          dataSourceFactory: async () => dataSource,
        }),
        TerminusModule,
        DocumentsModule,
        SignaturesModule,
        ClassifiedModule,
        ArchiveModule,
        SupervisionModule,
        IncomingModule,
        ExchangeModule,
        EventsModule,
        WebhooksModule,
        DelegationsModule,
        SealsModule,
        NoticesModule,
        ...extra,
      ],
      controllers: [AuthController, AdminController, DirectoryController, HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        AuthService,
        AdminService,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
      exports: [APP_CONFIG, AuthService],
      global: true,
    };
  }
}
