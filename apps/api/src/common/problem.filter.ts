import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { AppError, ErrorCode, ProblemDocument, problemType } from './errors.js';

/** Maps every error to an RFC 9457 problem document carrying a stable code and the request id. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const res = ctx.getResponse<FastifyReply>();
    const err = toAppError(exception);
    if (err.status >= 500) {
      this.logger.error({ err: exception, requestId: req.id, url: req.url }, 'unhandled error');
    }
    sendProblem(req, res, err);
  }
}

export function sendProblem(req: FastifyRequest, res: FastifyReply, err: AppError): void {
  if (res.sent || res.raw.headersSent) return;
  const body: ProblemDocument = {
    type: problemType(err.code),
    title: err.title,
    status: err.status,
    detail: err.detail,
    code: err.code,
    instance: req.url?.split('?')[0],
    requestId: req.id ? String(req.id) : undefined,
    ...err.extensions,
  };
  for (const [k, v] of Object.entries(err.headers)) res.header(k, v);
  res.status(err.status).type('application/problem+json').send(JSON.stringify(body));
}

/** Turns anything thrown (including Nest's and Fastify's errors: body parsing, limits) into an AppError. */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  // Fastify's body errors (FST_ERR_CTP_*) arrive as the cause of the HttpException that Nest maps a Fastify
  // error below 500 to
  const fastifyCode = ((e instanceof HttpException ? e.cause : e) as { code?: string } | null)?.code;
  if (fastifyCode === 'FST_ERR_BAD_URL') return new AppError('BAD_REQUEST', 'The request path is not valid (bad percent-encoding).');
  if (fastifyCode === 'FST_ERR_MAX_PARAM_LENGTH') return new AppError('BAD_REQUEST', 'A segment of the request path is too long.');
  if (fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY') return new AppError('MALFORMED_JSON', 'The request body is not valid JSON.');
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') return new AppError('PAYLOAD_TOO_LARGE', 'The request body exceeds the size limit.');
  if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new AppError('UNSUPPORTED_MEDIA_TYPE', 'The request body must be JSON (application/json).');
  const anyErr = e as { status?: number; statusCode?: number; message?: string; expose?: boolean };
  if (e instanceof HttpException) {
    const status = e.getStatus();
    const map: Record<number, ErrorCode> = {
      400: 'BAD_REQUEST',
      401: 'UNAUTHENTICATED',
      403: 'FORBIDDEN',
      404: 'ROUTE_NOT_FOUND',
      405: 'METHOD_NOT_ALLOWED',
      409: 'CONFLICT',
      412: 'PRECONDITION_FAILED',
      413: 'PAYLOAD_TOO_LARGE',
      415: 'UNSUPPORTED_MEDIA_TYPE',
      416: 'RANGE_NOT_SATISFIABLE',
      429: 'TOO_MANY_REQUESTS',
      503: 'SERVICE_UNAVAILABLE',
    };
    const code = map[status];
    if (code) return new AppError(code, status === 404 ? 'No such route.' : e.message, {}, status === 503 ? { 'Retry-After': '5' } : {});
    // any other client error (e.g. from the static files: 412 If-Match, 416 Range) stays a client error
    if (status >= 400 && status < 500) return new AppError('BAD_REQUEST', e.message);
  }
  // a client error with a status of its own (a request body that broke off: Fastify marks it 400), checked
  // before the database: such an error's code can be ECONNRESET too
  const clientStatus = anyErr?.statusCode ?? anyErr?.status;
  if (typeof clientStatus === 'number' && clientStatus >= 400 && clientStatus < 500) {
    return new AppError('BAD_REQUEST', anyErr.expose && anyErr.message ? anyErr.message : 'The request could not be read.');
  }
  // a database trigger guarding append-only or filed rows (gw_forbid_change, archive immutability)
  if (
    (e as { code?: string; driverError?: { code?: string } })?.code === '42501' ||
    (e as { driverError?: { code?: string } })?.driverError?.code === '42501'
  ) {
    return new AppError('READ_ONLY', 'This record is immutable.');
  }
  if (isDatabaseUnavailable(e)) {
    return new AppError('SERVICE_UNAVAILABLE', 'The database is not reachable; try again shortly.', {}, { 'Retry-After': '5' });
  }
  if (e instanceof URIError) return new AppError('BAD_REQUEST', 'The request path is not valid (bad percent-encoding).');
  return new AppError('INTERNAL', 'An unexpected error occurred. The request id identifies it in the logs.');
}

function isDatabaseUnavailable(e: unknown): boolean {
  // the connection died between two statements of a transaction: TypeORM released it, nothing was committed
  if (e instanceof QueryRunnerAlreadyReleasedError || e instanceof QueryRunnerProviderAlreadyReleasedError) return true;
  const err = e as { code?: string; message?: string; driverError?: { code?: string } };
  const code = err?.code ?? err?.driverError?.code;
  if (code && ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P02', '57P03', '08006', '08001', '08003', 'ETIMEDOUT'].includes(code)) return true;
  const msg = err?.message ?? '';
  // "… is not queryable": a pooled connection that broke before its first statement (pg, after the error
  // that GuardedClient keeps from crashing the process)
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|is not queryable/i.test(msg);
}

/**
 * Fastify's clientErrorHandler: a request that Node's HTTP parser refused (a control character in a header, a
 * malformed request line, a header block over the limit, a request that timed out) never reaches Fastify's
 * hooks or Nest, so it is answered here, on the socket, as a problem document with a request id and the same
 * security headers as every other answer (`securityHeaders`, computed once at start).
 */
export function clientErrorHandler(securityHeaders: Record<string, string>) {
  return (err: Error & { code?: string }, socket: Duplex): void => {
    // a connection reset: there is no one to answer
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const error =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AppError('REQUEST_TIMEOUT', 'The request was not received in time.')
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? new AppError('HEADERS_TOO_LARGE', 'The request headers exceed the size limit.')
          : new AppError(
              'BAD_REQUEST',
              'The request could not be parsed (a malformed request line or header, such as a control character in a header).',
            );
    const requestId = randomUUID();
    const body = JSON.stringify({
      type: problemType(error.code),
      title: error.title,
      status: error.status,
      detail: error.detail,
      code: error.code,
      requestId,
    } satisfies ProblemDocument);
    const headers = {
      ...securityHeaders,
      'X-Request-Id': requestId,
      'Content-Type': 'application/problem+json',
      'Content-Length': String(Buffer.byteLength(body)),
      Connection: 'close',
    };
    if (socket.writable) {
      const head = Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n');
      socket.write(`HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\n${head}\r\n\r\n${body}`);
    }
    socket.destroy();
  };
}
