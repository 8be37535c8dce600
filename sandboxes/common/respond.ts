/**
 * How a sandbox answers: JSON or problem+json, with every write under /v1 entered in the request
 * log (its status, whether it was replayed, and the fault that struck it).
 */
import type { NextFunction, Request, Response } from 'express';
import type { RequestLogEntry } from './json-store';
import { PROBLEM_CONTENT_TYPE, ProblemError } from './problem';

export const JSON_CONTENT_TYPE = 'application/json';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface RespondOptions {
  contentType?: string;
  headers?: Record<string, string>;
  replayed?: boolean;
  fault?: RequestLogEntry['fault'];
  /** False when the request is already in the log (a timeout answered late). */
  log?: boolean;
}

export interface Responder {
  respond(req: Request, res: Response, status: number, body: unknown, opts?: RespondOptions): void;
  respondProblem(req: Request, res: Response, problem: ProblemError, opts?: RespondOptions): void;
  /** Enters a write under /v1 in the request log; other requests are not logged. */
  logRequest(req: Request, outcome: Pick<RequestLogEntry, 'status' | 'replayed' | 'fault'>): void;
}

export function createResponder(options: {
  store: { logRequest(entry: RequestLogEntry): void };
  clock: () => Date;
  /** POSTs under /v1 that change nothing, kept out of the request log. */
  readOnlyPost?: (path: string) => boolean;
}): Responder {
  const { store, clock } = options;

  function logRequest(req: Request, outcome: Pick<RequestLogEntry, 'status' | 'replayed' | 'fault'>): void {
    const path = pathOf(req);
    if (!WRITE_METHODS.has(req.method) || !path.startsWith('/v1/') || options.readOnlyPost?.(path)) return;
    store.logRequest({
      method: req.method,
      path,
      idempotencyKey: req.get('idempotency-key') ?? null,
      ...outcome,
      at: clock().toISOString(),
    });
  }

  function respond(req: Request, res: Response, status: number, body: unknown, opts: RespondOptions = {}): void {
    if (opts.log !== false) logRequest(req, { status, replayed: opts.replayed ?? false, fault: opts.fault ?? null });
    res.status(status).set(opts.headers ?? {});
    res.type(opts.contentType ?? JSON_CONTENT_TYPE).send(JSON.stringify(body));
  }

  function respondProblem(req: Request, res: Response, problem: ProblemError, opts: RespondOptions = {}): void {
    respond(req, res, problem.status, problem.toProblem(), {
      ...opts,
      contentType: PROBLEM_CONTENT_TYPE,
      headers: { ...problem.headers, ...opts.headers },
    });
  }

  return { respond, respondProblem, logRequest };
}

/** The last handlers of a sandbox: a problem for an unknown route, and one for any error. */
export function notFoundAndErrorHandlers(name: string, responder: Responder) {
  return [
    (req: Request, res: Response) => {
      responder.respondProblem(
        req,
        res,
        new ProblemError(404, 'not-found', 'Not found', `no route ${req.method} ${pathOf(req)}`),
      );
    },
    (error: unknown, req: Request, res: Response, next: NextFunction) => {
      if (res.headersSent) {
        next(error);
        return;
      }
      const problem = asProblem(error, name);
      if (problem.status >= 500) console.error(`${name} sandbox: unexpected error:`, error);
      responder.respondProblem(req, res, problem);
    },
  ] as const;
}

export function pathOf(req: Request): string {
  return req.originalUrl.split('?', 1)[0] ?? '/';
}

/** Body-parser errors carry a 4xx `status` and `type`; anything else is our fault. */
function asProblem(error: unknown, name: string): ProblemError {
  if (error instanceof ProblemError) return error;
  const { status, type } = (error ?? {}) as { status?: unknown; type?: unknown };
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (type === 'entity.parse.failed')
      return new ProblemError(400, 'malformed-json', 'Malformed JSON', 'the request body is not valid JSON');
    if (type === 'entity.too.large')
      return new ProblemError(413, 'body-too-large', 'Body too large', 'the request body is larger than allowed');
    return new ProblemError(
      status,
      'bad-request',
      'Bad request',
      error instanceof Error ? error.message : 'the request could not be read',
    );
  }
  return new ProblemError(500, 'internal-error', 'Internal error', `the ${name} sandbox failed unexpectedly`);
}
