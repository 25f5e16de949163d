import { HttpException } from '@nestjs/common';
import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { toAppError } from './problem.filter.js';

describe('toAppError: a database that went away is a retryable 503', () => {
  const cases: [string, unknown][] = [
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['server shutting down', Object.assign(new Error('the database system is shutting down'), { code: '57P03' })],
    ['transaction connection released', new QueryRunnerAlreadyReleasedError()],
    // a pooled connection that broke while it was handed over, used for its first statement
    [
      'broken before the first statement',
      new QueryFailedError('SELECT 1', [], new Error('Client has encountered a connection error and is not queryable')),
    ],
    ['closed client', new QueryFailedError('SELECT 1', [], new Error('Client was closed and is not queryable'))],
  ];
  it.each(cases)('%s', (_name, e) => {
    const a = toAppError(e);
    expect([a.code, a.status, a.headers['Retry-After']]).toEqual(['SERVICE_UNAVAILABLE', 503, '5']);
  });

  it('an unknown error stays a 500', () => {
    expect(toAppError(new Error('boom')).status).toBe(500);
  });
});

describe("toAppError: Fastify's client errors stay client errors", () => {
  const fastifyError = (code: string, statusCode: number) => Object.assign(new Error(code), { name: 'FastifyError', code, statusCode });

  it('maps the statuses the static files and Fastify answer with, and any other 4xx to 400', () => {
    const cases: [unknown, string, number][] = [
      [new HttpException('Range Not Satisfiable', 416), 'RANGE_NOT_SATISFIABLE', 416],
      [new HttpException('Precondition Failed', 412), 'PRECONDITION_FAILED', 412],
      [new HttpException('Request Header Fields Too Large', 431), 'BAD_REQUEST', 400],
      // as Nest's Fastify adapter hands a Fastify error below 500 on: an HttpException with it as the cause
      [new HttpException('x', 400, { cause: fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', 400) }), 'MALFORMED_JSON', 400],
      [new HttpException('x', 413, { cause: fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413) }), 'PAYLOAD_TOO_LARGE', 413],
      [new HttpException('x', 415, { cause: fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415) }), 'UNSUPPORTED_MEDIA_TYPE', 415],
      [fastifyError('FST_ERR_BAD_URL', 400), 'BAD_REQUEST', 400],
    ];
    for (const [e, code, status] of cases) expect([toAppError(e).code, toAppError(e).status]).toEqual([code, status]);
  });

  it('a request body that broke off (client went away) is a 400, not a database outage', () => {
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET', statusCode: 400 });
    expect(toAppError(aborted).code).toBe('BAD_REQUEST');
    // the same code from the database driver, without a client status, still means the database went away
    expect(toAppError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })).code).toBe('SERVICE_UNAVAILABLE');
  });
});
