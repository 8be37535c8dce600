/** RFC 9457 problem details: every error the API returns has this shape. */
import type { ErrorRequestHandler, Response } from 'express';
import type { z } from 'zod';

export interface FieldError {
  path: string;
  message: string;
  code?: string;
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: { errors?: FieldError[]; [key: string]: unknown } = {},
  ) {
    super(detail ?? title);
  }
}

const TYPE_BASE = 'https://docs.onboarding.example/problems/';

export function sendProblem(res: Response, problem: HttpProblem): void {
  const slug = problem.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/(^-|-$)/g, '');
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({
      type: `${TYPE_BASE}${slug}`,
      title: problem.title,
      status: problem.status,
      detail: problem.detail ?? problem.title,
      ...problem.extra,
    });
}

export function zodErrors(error: z.ZodError, prefix?: string): FieldError[] {
  return error.issues.map((i) => ({
    path: [...(prefix ? [prefix] : []), ...i.path.map(String)].join('.') || '(body)',
    message: i.message,
    code: i.code,
  }));
}

export function invalid(errors: FieldError[], detail = 'the request has invalid fields'): HttpProblem {
  return new HttpProblem(400, 'Validation failed', detail, { errors });
}

/** Parses with a schema or throws a 400 that lists every failing field. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(zodErrors(parsed.error, prefix));
  return parsed.data;
}

export const problemHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof HttpProblem) return sendProblem(res, err);
  const e = err as { type?: string; status?: number; code?: string; message?: string };
  if (e.type === 'entity.too.large' || e.code === 'LIMIT_FILE_SIZE') {
    return sendProblem(res, new HttpProblem(413, 'Payload too large', 'the request body is over the configured limit'));
  }
  if (e.type === 'entity.parse.failed') {
    return sendProblem(res, new HttpProblem(400, 'Malformed JSON', 'the request body is not valid JSON'));
  }
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
    return sendProblem(res, new HttpProblem(415, 'Unsupported encoding', e.message));
  }
  if (typeof e.code === 'string' && e.code.startsWith('LIMIT_')) {
    return sendProblem(res, new HttpProblem(400, 'Invalid upload', e.message));
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return sendProblem(res, new HttpProblem(e.status, 'Bad request', e.message));
  }
  console.error('unhandled API error', err);
  return sendProblem(res, new HttpProblem(500, 'Internal error', 'something went wrong; it has been logged'));
};
