import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NotFoundException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import fastifyCookie from '@fastify/cookie';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { finishOpenApi } from './common/openapi.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import { AppModule, requestIdOf } from './app.module.js';
import { AppError } from './common/errors.js';
import { accessLog, createLogger, PinoNestLogger } from './common/logging.js';
import { clientErrorHandler, sendProblem, toAppError } from './common/problem.filter.js';
import { trustedProxies, type AppConfig } from './config/config.js';
import { recordRequest } from './health/metrics.js';

export interface CreateAppOptions {
  /** Directory of the built web UI to serve at `/` (skipped when missing). */
  webDir?: string;
  extraModules?: DynamicModule[];
  logger?: boolean;
}

/** Routes whose body is raw bytes (Word drafts for import, attachment files), with a larger limit than JSON. */
const RAW_BODY_ROUTES = /^\/api\/(documents\/(import|:[^/]+\/sections\/:[^/]+\/import|:[^/]+\/files)|incoming)$/;
const RAW_BODY_LIMIT = 20 * 1024 * 1024;
/** The largest transfer package accepted through the API (the CLI receives any size from disk). */
const RECEIPT_BODY_LIMIT = 256 * 1024 * 1024;
const JSON_TYPE = /^application\/(json|[^;\s]+\+json)\s*(;|$)/i;

/** "1mb", "512kb" (config.BODY_LIMIT, validated there) in bytes. */
function bytes(size: string): number {
  return Number.parseInt(size, 10) * (/mb$/i.test(size) ? 1024 * 1024 : 1024);
}

/** The headers a connect-style middleware (helmet) sets, as a plain record: for answers written on a raw socket. */
function headersOf(middleware: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void): Record<string, string> {
  const out: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | string[]) {
      out[name] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete out[name];
    },
    getHeader(name: string) {
      return out[name];
    },
  };
  middleware({ headers: {}, method: 'GET', url: '/' } as IncomingMessage, res as unknown as ServerResponse, () => undefined);
  return out;
}

/**
 * Builds the configured Nest application (used by main.ts and by the HTTP tests), on Fastify: its radix-tree
 * router, hooks and body parsing cost the API about half of what Express's middleware chain did per request
 * (the bench's transition profile), and the bench's throughput depends on that one event loop.
 */
export async function createApp(config: AppConfig, dataSource: DataSource, opts: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  // helmet's middleware, built once and run on the raw request and response: @fastify/helmet builds it anew on
  // every request (parsing the CSP each time), about 4 % of the API's CPU on a workflow transition
  const securityHeaders = helmet({
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
  });
  // helmet's headers do not depend on the request (no CSP nonces): taken from it once and set as they are on
  // every answer, rather than running its dozen middlewares (and their callback chain) per request, ~3 % of the
  // API's CPU on a workflow transition
  const securityHeaderList = Object.entries(headersOf(securityHeaders));
  // on every answer, errors of routing itself included: the request id and the security headers
  const edgeHeaders = (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    reply.header('X-Request-Id', req.id);
    const res = reply.raw;
    for (const [name, value] of securityHeaderList) res.setHeader(name, value);
    done();
  };
  const adapter = new FastifyAdapter({
    // X-Forwarded-For (the client address the login throttle counts) only from GONGWEN_TRUSTED_PROXIES
    trustProxy: trustedProxies(config),
    // requests that Node's parser refuses (bad header bytes, oversized headers) never reach a hook: a problem too
    clientErrorHandler: clientErrorHandler(Object.fromEntries(securityHeaderList)),
    bodyLimit: bytes(config.BODY_LIMIT),
    // the caller's X-Request-Id when well-formed, otherwise a new one (echoed back by edgeHeaders)
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => requestIdOf(req),
    // a file name in a path (archive files) can be long once percent-encoded
    routerOptions: { maxParamLength: 2048, ignoreTrailingSlash: true },
    // Fastify's default (0) would switch off Node's own limit: a request, body included, has 5 minutes
    requestTimeout: 300_000,
    // errors of routing itself (a path that is not valid percent-encoding, a parameter past maxParamLength),
    // raised before any hook or Nest runs: problems too
    frameworkErrors: (error: Error, req: FastifyRequest, reply: FastifyReply) => {
      edgeHeaders(req, reply, () => undefined);
      sendProblem(req, reply, toAppError(error));
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, dataSource, opts.extraModules), adapter, {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  const logger = createLogger(config.LOG_LEVEL);
  app.useLogger(new PinoNestLogger(logger));
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', edgeHeaders);
  fastify.addHook('onRequest', accessLog(logger));
  fastify.addHook('onResponse', recordRequest);
  const origins = config.CORS_ORIGINS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (origins.length) app.enableCors({ origin: origins, credentials: true });
  await app.register(fastifyCookie);

  // Bodies: JSON (application/json, application/*+json) everywhere; raw bytes of any type on RAW_BODY_ROUTES
  // only, up to RAW_BODY_LIMIT. Any other type is refused (415) without reading past the JSON limit.
  fastify.addHook('onRoute', (route) => {
    if (RAW_BODY_ROUTES.test(route.url ?? '')) {
      route.bodyLimit = RAW_BODY_LIMIT;
      route.config = { ...(route.config as object), rawBody: true };
    }
    // a transfer package (接收) is a zip of a whole volume
    if (route.url === '/api/archive/receipts' && route.method === 'POST') {
      route.bodyLimit = RECEIPT_BODY_LIMIT;
      route.config = { ...(route.config as object), rawBody: true };
    }
  });
  const parseJson = fastify.getDefaultJsonParser('error', 'ignore');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    const encoding = req.headers['content-encoding'];
    if (encoding && encoding.toLowerCase() !== 'identity') {
      return done(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Compressed request bodies (Content-Encoding) are not accepted.'));
    }
    if ((req.routeOptions.config as { rawBody?: boolean }).rawBody) return done(null, body);
    const json = JSON_TYPE.test(req.headers['content-type'] ?? '');
    // an empty body is no body: {} when sent as JSON (as Express's parser took it), otherwise nothing
    if ((body as Buffer).length === 0) return done(null, json ? {} : undefined);
    if (!json) return done(new AppError('UNSUPPORTED_MEDIA_TYPE', 'The request body must be JSON (application/json).'));
    // callback style: the parser reports through done (its type also allows a promise, which it never returns here)
    void parseJson(req, (body as Buffer).toString('utf8'), done);
  });
  const openapi = new DocumentBuilder()
    .setTitle('gongwen API')
    .setDescription(
      'Official documents (公文): drafting, proofreading and review-and-signing gates, DOCX export, archiving. Errors are RFC 9457 problem details.',
    )
    .setVersion('0.1.0')
    .setOpenAPIVersion('3.1.0')
    .build();
  // security schemes, named schemas and the statuses of every operation: see finishOpenApi. Built on the first
  // request for it and kept (SwaggerModule calls the factory once): building it is most of createApp's own CPU
  // (about 0.5 s), which a process that never serves it (a worker, a CLI, most test apps) need not pay at start
  const document = () =>
    finishOpenApi(
      SwaggerModule.createDocument(app, openapi, {
        operationIdFactory: (_controller: string, method: string) => method,
      }),
    );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json', yamlDocumentUrl: 'api/openapi.yaml' });

  if (opts.webDir && existsSync(resolve(opts.webDir, 'index.html'))) {
    const root = resolve(opts.webDir);
    // the UI's files (a route each, found at start: the build does not change while running) and, for any other
    // GET outside the API, index.html (the client-side routes); API paths answer 404 as before
    await app.register((await import('@fastify/static')).default, { root, wildcard: false, index: false, maxAge: '1h' });
    const notUi = (path: string) => /^\/(api|health|metrics)(\/|$)/.test(path);
    fastify.get('/*', (req: FastifyRequest, reply: FastifyReply) => {
      if (notUi(req.url.split('?')[0])) throw new NotFoundException();
      return reply.sendFile('index.html', { maxAge: 0 });
    });
  }
  return app;
}

export type { INestApplication, NestFastifyApplication };
export { AppError };
