/**
 * The sandboxes' errors as RFC 9457 problem details (`application/problem+json`), one shape for
 * billing and the contact-center platform. Problem types are relative URIs (`/problems/<kind>`),
 * resolved against the sandbox that answered.
 */
import type { z } from 'zod';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_BASE = '/problems/';

export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface ProblemOptions {
  /** Extension members of the problem, e.g. the balance behind a refused charge. */
  extensions?: Record<string, unknown>;
  /**
   * False for a refusal that only reflects state the client can change (a balance, free stock):
   * it is not stored as the key's answer, so the same key succeeds once the state allows it.
   */
  remembered?: boolean;
}

export class ProblemError extends Error {
  readonly extensions: Record<string, unknown>;
  readonly remembered: boolean;

  constructor(
    readonly status: number,
    /** A short slug naming the kind of problem, e.g. `not-found`. */
    readonly kind: string,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    /** Extra response headers, e.g. `WWW-Authenticate`. */
    readonly headers: Record<string, string> = {},
    options: ProblemOptions = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
    this.extensions = options.extensions ?? {};
    this.remembered = options.remembered ?? true;
  }

  toProblem(): Problem {
    return {
      type: `${PROBLEM_BASE}${this.kind}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(this.errors ? { errors: this.errors } : {}),
      ...this.extensions,
    };
  }
}

export function notFound(what: string, id: string): ProblemError {
  return new ProblemError(404, 'not-found', 'Not found', `no ${what} ${id}`);
}

/** A well-formed request that the current state refuses, with every field at fault. */
export function unprocessable(detail: string, errors: FieldError[]): ProblemError {
  return new ProblemError(422, 'unprocessable', 'Request refused', detail, errors);
}

export function conflict(kind: string, title: string, detail: string, options: ProblemOptions = {}): ProblemError {
  return new ProblemError(409, kind, title, detail, undefined, {}, options);
}

/** Every failing field, one entry each; unknown fields are listed by name. */
export function validationProblem(issues: readonly z.core.$ZodIssue[], input: unknown, where = 'body'): ProblemError {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push({ path: joinPath([...issue.path, key]), message: 'unknown field' });
      continue;
    }
    const missing = issue.code === 'invalid_type' && issue.path.length > 0 && valueAt(input, issue.path) === undefined;
    errors.push({ path: joinPath(issue.path), message: missing ? 'required' : issue.message });
  }
  return new ProblemError(400, 'validation-error', 'Invalid request', `the request ${where} is invalid`, errors);
}

export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, where = 'body'): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationProblem(result.error.issues, input, where);
  return result.data;
}

function joinPath(segments: readonly PropertyKey[]): string {
  return segments.map((s) => String(s)).join('.');
}

function valueAt(input: unknown, segments: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const segment of segments) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
