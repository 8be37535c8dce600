/**
 * The API's Prometheus metrics (`GET /metrics` on the metrics port, METRICS_PORT): requests and their latency per route template
 * (`/v1/onboardings/:id`, never the raw URL, so ids and probes of unknown paths add no series),
 * and how many running cases wait on support in each kind and stage, counted in Temporal's
 * visibility store when scraped and reused for a short while (a scrape flood costs Temporal
 * nothing more). Aggregates only: no tenant, case id or person appears in a label.
 */
import express, { type RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { STAGES } from '../contract/stages';

export interface ApiMetricsOptions {
  /** Temporal's count of workflows matching a visibility query. */
  countWorkflows: (query: string) => Promise<number>;
  /** This deployment's task queue: the cases counted are the ones its workers run. */
  taskQueue: string;
  /** How long one count of the support queue is reused. */
  cacheMs: number;
  now?: () => number;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Visibility counts in flight at once per scrape. */
const COUNT_CONCURRENCY = 8;

export interface ApiMetrics {
  registry: Registry;
  /** Mounted first: times every request and labels it with the route template it matched. */
  middleware: RequestHandler;
  /** `GET /metrics`. */
  handler: RequestHandler;
}

export function createApiMetrics(options: ApiMetricsOptions): ApiMetrics {
  const now = options.now ?? Date.now;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code.',
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status code.',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // One count per cache period, failed or not, shared by the scrapes that arrive meanwhile.
  let cached: { at: number; counts: Promise<Map<string, number>> } | undefined;
  const supportQueue = (): Promise<Map<string, number>> => {
    if (!cached || now() - cached.at >= options.cacheMs) {
      const counts = countSupportQueue(options.countWorkflows, options.taskQueue);
      counts.catch(() => countErrors.inc());
      cached = { at: now(), counts };
    }
    return cached.counts;
  };
  const countErrors = new Counter({
    name: 'onboarding_support_queue_count_errors_total',
    help: 'Counts of the cases waiting on support that failed (Temporal visibility unreachable).',
    registers: [registry],
    async collect() {
      // Read after this scrape's count has settled.
      await supportQueue().catch(() => {});
    },
  });
  new Gauge({
    name: 'onboarding_cases_awaiting_support',
    help: 'Running cases whose next step is support staff, by kind and stage (Temporal visibility).',
    labelNames: ['kind', 'stage'],
    registers: [registry],
    async collect() {
      this.reset();
      // A failed count leaves no sample rather than a stale or invented one.
      const counts = await supportQueue().catch(() => new Map<string, number>());
      for (const [key, value] of counts) {
        const [kind, stage] = key.split('\u0000') as [string, string];
        this.set({ kind, stage }, value);
      }
    },
  });

  const middleware: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    let template: string | undefined;
    // The router sets `req.route` when a route matches; read the mount path then, as it is
    // unwound again before an error handler answers.
    let route: unknown;
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => route,
      set: (value: { path?: unknown } | undefined) => {
        route = value;
        if (typeof value?.path === 'string') template = `${req.baseUrl}${value.path}`;
      },
    });
    res.on('finish', () => {
      const labels = {
        method: METHODS.has(req.method) ? req.method : 'OTHER',
        route: template ?? 'unmatched',
        status: String(res.statusCode),
      };
      requests.inc(labels);
      latency.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };

  const handler: RequestHandler = async (_req, res, next) => {
    try {
      const body = await registry.metrics();
      res.set('Content-Type', registry.contentType).send(body);
    } catch (err) {
      next(err);
    }
  };

  return { registry, middleware, handler };
}

/**
 * The metrics listener's app: `GET /metrics` and nothing else, for the internal network only
 * (METRICS_HOST:METRICS_PORT), apart from the API's public port.
 */
export function createMetricsApp(metrics: ApiMetrics): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metrics.handler);
  app.use((_req, res) => res.status(404).type('text/plain').send('not found\n'));
  return app;
}

/** One visibility count per kind and stage: GROUP BY on custom attributes is not in every store. */
async function countSupportQueue(
  count: (query: string) => Promise<number>,
  taskQueue: string,
): Promise<Map<string, number>> {
  const pairs = Object.entries(STAGES).flatMap(([kind, stages]) => stages.map((stage) => [kind, stage] as const));
  const counts = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < pairs.length) {
      const [kind, stage] = pairs[next++]!;
      const n = await count(
        `TaskQueue = '${taskQueue.replace(/'/g, "''")}' AND ExecutionStatus = 'Running' AND AwaitingRole = 'support' AND OnboardingKind = '${kind}' AND OnboardingStage = '${stage}'`,
      );
      counts.set(`${kind}\u0000${stage}`, n);
    }
  };
  await Promise.all(Array.from({ length: COUNT_CONCURRENCY }, worker));
  return counts;
}
