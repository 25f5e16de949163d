import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import { AppModule, requestId } from './app.module.js';
import { AppError } from './common/errors.js';
import { accessLog, createLogger, PinoNestLogger } from './common/logging.js';
import { sendProblem, toAppError } from './common/problem.filter.js';
import type { AppConfig } from './config/config.js';
import { metricsMiddleware } from './health/metrics.js';

export interface CreateAppOptions {
  /** Directory of the built web UI to serve at `/` (skipped when missing). */
  webDir?: string;
  extraModules?: DynamicModule[];
  logger?: boolean;
}

/** Builds the configured Nest application (used by main.ts and by the HTTP tests). */
export async function createApp(config: AppConfig, dataSource: DataSource, opts: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, dataSource, opts.extraModules), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  const logger = createLogger(config.LOG_LEVEL);
  app.useLogger(new PinoNestLogger(logger));
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use((req: Request & { id?: string }, res: Response, next: NextFunction) => {
    req.id = requestId(req, res);
    next();
  });
  app.use(accessLog(logger));
  app.use(metricsMiddleware);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
        },
      },
    }),
  );
  const origins = config.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean);
  if (origins.length) app.enableCors({ origin: origins, credentials: true });
  app.use(cookieParser());
  app.use(express.json({ limit: config.BODY_LIMIT, type: ['application/json', 'application/*+json'] }));
  // Word drafts for import and attachment files: raw bytes, a larger limit than JSON
  app.use(/^\/api\/documents\/(import|[^/]+\/sections\/[^/]+\/import|[^/]+\/files)$/, express.raw({ type: () => true, limit: '20mb' }));
  // body-parser errors (malformed JSON, too large) become problems too
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!err) return next();
    sendProblem(req, res, toAppError(err));
  });

  const openapi = new DocumentBuilder()
    .setTitle('gongwen API')
    .setDescription('Official documents (公文): drafting, proofreading and review-and-signing gates, DOCX export, archiving. Errors are RFC 9457 problem details.')
    .setVersion('0.1.0')
    .setOpenAPIVersion('3.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A session token from POST /api/auth/login or a personal API token' })
    .addCookieAuth('gw_session')
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, openapi, {
    operationIdFactory: (_controller: string, method: string) => method,
  });
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json', yamlDocumentUrl: 'api/openapi.yaml' });

  if (opts.webDir && existsSync(resolve(opts.webDir, 'index.html'))) {
    const dir = resolve(opts.webDir);
    // the UI's files and its client-side routes; API paths skip both (static would stat a file for every GET)
    const notUi = (req: Request) => /^\/(api|health|metrics)(\/|$)/.test(req.path);
    const files = express.static(dir, { index: false, maxAge: '1h' });
    app.use((req: Request, res: Response, next: NextFunction) => (notUi(req) ? next() : files(req, res, next)));
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' || notUi(req)) return next();
      res.sendFile(resolve(dir, 'index.html'));
    });
  }
  return app;
}

export type { INestApplication };
export { AppError };
