import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'gongwen_' });

const httpDuration = new Histogram({
  name: 'gongwen_http_request_duration_seconds',
  help: 'HTTP request duration by method, route and status',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const transitionsTotal = new Counter({
  name: 'gongwen_workflow_transitions_total',
  help: 'Workflow events by type and outcome',
  labelNames: ['event', 'outcome'],
  registers: [metricsRegistry],
});

/** Express middleware recording request durations with the matched route (not the raw URL). */
export function metricsMiddleware(req: Request, res: Response, next: NextFunction): void {
  const end = httpDuration.startTimer();
  res.on('finish', () => {
    const route = (req.route?.path as string | undefined) ?? (res.statusCode === 404 ? 'unmatched' : req.baseUrl || 'other');
    end({ method: req.method, route, status: String(res.statusCode) });
  });
  next();
}
