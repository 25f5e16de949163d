/**
 * Logs: JSON lines from pino, one access line per request, and Nest's own messages through the same logger.
 *
 * Written here rather than with nestjs-pino / pino-http: those give every request a child logger and run the
 * rest of the request inside an AsyncLocalStorage context, which cost about 8 % of the API's CPU on a workflow
 * transition (bench profile) even with the access line switched off. Nothing here needs a request-scoped
 * logger: the few log lines written while handling a request name the request id themselves.
 */
import type { LoggerService } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { performance } from 'node:perf_hooks';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';

export type AppLogger = Logger;

export function createLogger(level: string, destination?: DestinationStream): AppLogger {
  return destination ? pino({ level }, destination) : pino({ level });
}

/** Health probes and metric scrapes are not logged (they arrive every few seconds). */
const QUIET = /^\/(health(\/|$|\?)|metrics($|\?))/;

/**
 * The access line, written when the answer is finished (or the connection closed first): method, URL,
 * status, time and remote address, never headers, so there are no credentials to redact.
 */
export function accessLog(logger: AppLogger) {
  return (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    if (!logger.isLevelEnabled('info') || QUIET.test(req.url)) return done();
    const t0 = performance.now();
    const res = reply.raw;
    res.once('close', () => {
      const finished = res.writableFinished;
      const level: Level = !finished || res.statusCode >= 500 ? 'error' : 'info';
      logger[level](
        {
          requestId: req.id,
          req: { method: req.method, url: req.url, remoteAddress: req.socket?.remoteAddress },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(performance.now() - t0),
        },
        finished ? 'request completed' : 'request aborted',
      );
    });
    done();
  };
}

const NEST_LEVELS = { log: 'info', error: 'error', warn: 'warn', debug: 'debug', verbose: 'trace', fatal: 'fatal' } as const;

/**
 * Nest's LoggerService on pino. Nest's Logger passes the context name as the last argument; an object as the
 * first argument is merged into the line (`logger.error({ err, requestId }, 'unhandled error')`).
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: AppLogger) {}

  log(message: unknown, ...rest: unknown[]) {
    this.write('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.write('fatal', message, rest);
  }

  private write(kind: keyof typeof NEST_LEVELS, message: unknown, rest: unknown[]): void {
    const level = NEST_LEVELS[kind];
    if (!this.pino.isLevelEnabled(level)) return;
    const params = [...rest];
    // the context is the last string argument, as Nest's own ConsoleLogger reads it (a Logger with a context
    // always appends it): `new Logger('Ctx').error({ err }, 'text')` arrives as ({ err }, 'text', 'Ctx')
    const context = params.length && typeof params.at(-1) === 'string' ? params.pop() : undefined;
    const fields: Record<string, unknown> = typeof context === 'string' ? { context } : {};
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, typeof params[0] === 'string' ? params[0] : message.message);
    } else if (message !== null && typeof message === 'object') {
      this.pino[level]({ ...fields, ...(message as Record<string, unknown>) }, typeof params[0] === 'string' ? params[0] : undefined);
    } else {
      // Nest's own error(message, stack, context)
      if (kind === 'error' && typeof params[0] === 'string') fields.stack = params[0];
      this.pino[level](fields, String(message));
    }
  }
}
