import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
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

/**
 * Workflow events by outcome only: the event's type would tell when a classified document was signed or recalled
 * (an event no unclassified document had at that time), so it is not a label.
 */
export const transitionsTotal = new Counter({
  name: 'gongwen_workflow_transitions_total',
  help: 'Workflow events by outcome (applied, refused, conflict: an optimistic write found the document changed and the event was decided again)',
  labelNames: ['outcome'],
  registers: [metricsRegistry],
});

/** Transition writes per statement of the optimistic path's group commit (database/group-commit.ts). */
export const writeBatchSize = new Histogram({
  name: 'gongwen_transition_write_batch_size',
  help: 'Optimistic transition writes sent to PostgreSQL in one statement; outcome failed: the statement failed and each write was sent again alone',
  labelNames: ['outcome'],
  buckets: [1, 2, 4, 8, 16, 32, 64],
  registers: [metricsRegistry],
});

/**
 * Where a transition request spends its time inside the API, by phase: `queue`, waiting for an earlier transition
 * of the same document in this process (the per-document lock of the optimistic path); `decide`, reading the
 * document when this process does not know it, the checks and the machine; `wait`, waiting for a statement slot of
 * the group commit; `statement`, the write statement's round trip (shared by the writes of its batch); `respond`,
 * building the answer; `locked`, the whole transaction of the locked path (hooks, commands that write, conflicts).
 * The bench lines the phases up against the request's latency (scripts/bench/metrics.ts).
 */
export const transitionPhase = new Histogram({
  name: 'gongwen_transition_phase_seconds',
  help: 'Time a transition spends in each phase inside the API: queue (same document, this process), decide, wait (statement slot), statement, respond, locked (the locked path whole)',
  labelNames: ['phase'],
  buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});

const CLASSIFIED_ROUTES = /^\/api\/documents\/:[^/]+\/(copies|grants|export-requests)(\/|$)/;

/**
 * Fastify's onResponse hook recording the request's duration with the matched route (the route's pattern, not
 * the raw URL; `unmatched` for a 404 that no route answered).
 */
export function recordRequest(req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const pattern = req.routeOptions.url ?? (reply.statusCode === 404 ? 'unmatched' : 'other');
  // the handling of classified documents (copies and their recall, grants, export requests) is one label with
  // the other per-document routes' rest: its own would count classified work
  const route = CLASSIFIED_ROUTES.test(pattern) ? '/api/documents/:id/…' : pattern;
  httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  done();
}
