import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { toAppError } from './problem.filter.js';

describe('toAppError: a database that went away is a retryable 503', () => {
  const cases: [string, unknown][] = [
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['server shutting down', Object.assign(new Error('the database system is shutting down'), { code: '57P03' })],
    ['transaction connection released', new QueryRunnerAlreadyReleasedError()],
    // a pooled connection that broke while it was handed over, used for its first statement
    ['broken before the first statement', new QueryFailedError('SELECT 1', [], new Error('Client has encountered a connection error and is not queryable'))],
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
