import Fastify from 'fastify';
import { Writable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { accessLog, createLogger, PinoNestLogger } from './logging.js';

function sink() {
  const lines: Record<string, any>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, stream };
}

async function serve(level: string) {
  const { lines, stream } = sink();
  const app = Fastify({ genReqId: () => 'req-1' });
  const logger = createLogger(level, stream);
  app.addHook('onRequest', accessLog(logger));
  app.get('/health/live', async () => ({ ok: true }));
  app.get('/boom', async (_req, reply) => reply.status(503).send({}));
  app.post('/api/x', async (_req, reply) => reply.status(201).send({ ok: true }));
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { lines, base, logger, close: () => app.close() };
}

/** Waits until `lines` holds at least `n` lines (the access line is written when the answer has gone out). */
async function lines(s: { lines: unknown[] }, n: number) {
  const deadline = Date.now() + 5_000;
  while (s.lines.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

describe('access log', () => {
  it('writes one line per request with method, URL, status, time and request id, never headers', async () => {
    const s = await serve('info');
    try {
      await fetch(`${s.base}/api/x?q=1`, { method: 'POST', headers: { authorization: 'Bearer secret-token', cookie: 'gw_session=abc' } });
      await lines(s, 1);
      expect(s.lines).toHaveLength(1);
      const [line] = s.lines;
      expect(line).toMatchObject({
        level: 30,
        msg: 'request completed',
        requestId: 'req-1',
        req: { method: 'POST', url: '/api/x?q=1' },
        res: { statusCode: 201 },
      });
      expect(typeof line.responseTime).toBe('number');
      expect(JSON.stringify(line)).not.toMatch(/secret-token|gw_session|authorization|cookie/i);
    } finally {
      await s.close();
    }
  });

  it('logs 5xx answers at error level and leaves health probes out', async () => {
    const s = await serve('info');
    try {
      await fetch(`${s.base}/health/live`);
      await fetch(`${s.base}/boom`);
      await lines(s, 1);
      expect(s.lines.map((l) => [l.level, l.res.statusCode])).toEqual([[50, 503]]);
    } finally {
      await s.close();
    }
  });

  it('is an info-level record: at warn there are no access lines, not even for a 5xx', async () => {
    const s = await serve('warn');
    try {
      await (await fetch(`${s.base}/api/x`, { method: 'POST' })).text();
      await (await fetch(`${s.base}/boom`)).text();
      s.logger.warn('marker'); // the sink works, and nothing came before it
      await lines(s, 1);
      expect(s.lines.map((l) => l.msg)).toEqual(['marker']);
    } finally {
      await s.close();
    }
  });
});

describe('PinoNestLogger', () => {
  it("maps Nest's logger calls: context from the last argument, objects merged, errors serialised", () => {
    const { lines, stream } = sink();
    const nest = new PinoNestLogger(createLogger('info', stream));
    nest.log('started', 'InstanceLoader');
    nest.error({ requestId: 'r1', url: '/x' }, 'unhandled error', 'ProblemFilter');
    nest.error(new Error('disk full'), 'ArchiveJobs');
    nest.error('failed', 'Error: failed\n    at x', 'ArchiveExports');
    nest.debug('not written', 'X');
    expect(lines.map((l) => [l.level, l.msg, l.context])).toEqual([
      [30, 'started', 'InstanceLoader'],
      [50, 'unhandled error', 'ProblemFilter'],
      [50, 'disk full', 'ArchiveJobs'],
      [50, 'failed', 'ArchiveExports'],
    ]);
    expect(lines[1]).toMatchObject({ requestId: 'r1', url: '/x' });
    expect(lines[2].err).toMatchObject({ type: 'Error', message: 'disk full' });
    expect(lines[3].stack).toContain('at x');
  });

  it("serves Nest's Logger class", () => {
    const { lines, stream } = sink();
    Logger.overrideLogger(new PinoNestLogger(createLogger('info', stream)));
    try {
      new Logger('ArchivePrepare').warn('slow');
      new Logger('ProblemFilter').error({ requestId: 'r2' }, 'unhandled error');
    } finally {
      Logger.overrideLogger(false as never);
    }
    expect(lines.map((l) => [l.level, l.msg, l.context, l.requestId])).toEqual([
      [40, 'slow', 'ArchivePrepare', undefined],
      [50, 'unhandled error', 'ProblemFilter', 'r2'],
    ]);
  });
});
