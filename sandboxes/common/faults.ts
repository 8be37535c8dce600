/**
 * The fault and latency switches every sandbox has, and the middleware that acts on them: a
 * delay, a simulated outage (503), or a request held without an answer until the client gives
 * up (504 after a while). Faults strike before any state is touched.
 */
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { ProblemError, parseOrThrow } from './problem';
import type { Responder } from './respond';

export interface Faults {
  /** Added to every /v1 request. */
  latencyMs: number;
  /** Share of /v1 requests answered 503 without doing anything. */
  failureRate: number;
  /** Share of /v1 requests held without an answer (until the client gives up). */
  timeoutRate: number;
}

/** The switches every sandbox has; a sandbox may add its own (all rates, 0 to 1). */
export const faultSwitchesShape = {
  latencyMs: z.int().min(0).max(600_000).optional(),
  failureRate: z.number().min(0).max(1).optional(),
  timeoutRate: z.number().min(0).max(1).optional(),
};

/** A sandbox's switches, set only through a schema that lists every one of them. */
export class FaultSwitches<F extends Faults> {
  private current: F;

  constructor(
    private readonly schema: z.ZodType<Partial<F>>,
    initial: F,
  ) {
    this.current = { ...initial };
  }

  get(): F {
    return { ...this.current };
  }

  /** Changes some switches; invalid values throw a 400 ProblemError and change nothing. */
  set(patch: unknown): F {
    const parsed = parseOrThrow(this.schema, patch ?? {});
    // Absent and undefined both mean "leave as is".
    const changes = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
    this.current = { ...this.current, ...changes };
    return this.get();
  }
}

const DEFAULT_TIMEOUT_HOLD_MS = 30_000;

export interface FaultInjection {
  middleware: RequestHandler;
  /** Drops requests held by simulated timeouts. */
  releaseHeld(): void;
}

/** Delays, fails or holds /v1 requests as the switches say. */
export function injectFaults(options: {
  faults: FaultSwitches<Faults>;
  random: () => number;
  responder: Responder;
  /** How long a simulated timeout holds a request before answering 504. */
  timeoutHoldMs?: number;
}): FaultInjection {
  const { faults, random, responder } = options;
  const timeoutHoldMs = options.timeoutHoldMs ?? DEFAULT_TIMEOUT_HOLD_MS;
  /** Requests held by simulated timeouts, released on close. */
  const held = new Set<{ timer: NodeJS.Timeout; res: Response }>();

  function hold(req: Request, res: Response): void {
    responder.logRequest(req, { status: null, replayed: false, fault: 'timeout' });
    const entry = {
      res,
      timer: setTimeout(() => {
        held.delete(entry);
        const problem = new ProblemError(
          504,
          'gateway-timeout',
          'Gateway timeout',
          'simulated timeout: nothing was changed; retry with the same Idempotency-Key',
        );
        responder.respondProblem(req, res, problem, { log: false });
      }, timeoutHoldMs),
    };
    held.add(entry);
    // The client gave up: nothing more to answer.
    res.on('close', () => {
      clearTimeout(entry.timer);
      held.delete(entry);
    });
  }

  const middleware: RequestHandler = async (req, res, next) => {
    const { latencyMs } = faults.get();
    if (latencyMs > 0) await sleep(latencyMs);
    // Decided after the delay: an outage that begins while a request is in flight fails it.
    const { failureRate, timeoutRate } = faults.get();
    // One draw decides both faults, so their rates add up rather than overlap.
    const roll = random();
    if (roll < failureRate) {
      responder.respondProblem(
        req,
        res,
        new ProblemError(
          503,
          'service-unavailable',
          'Service unavailable',
          'simulated outage: nothing was changed; retry with the same Idempotency-Key',
        ),
        { fault: 'failure', headers: { 'Retry-After': '1' } },
      );
      return;
    }
    if (roll < failureRate + timeoutRate) {
      hold(req, res);
      return;
    }
    next();
  };

  function releaseHeld(): void {
    for (const entry of held) {
      clearTimeout(entry.timer);
      entry.res.destroy();
    }
    held.clear();
  }

  return { middleware, releaseHeld };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Switches all off, then set from a sandbox's options (checked as a PUT of them would be). */
export function faultSwitchesFrom<F extends Faults>(
  schema: z.ZodType<Partial<F>>,
  off: F,
  options: Partial<Record<keyof F, number>>,
): FaultSwitches<F> {
  const switches = new FaultSwitches<F>(schema, off);
  switches.set(Object.fromEntries(Object.keys(off).map((key) => [key, options[key as keyof F]])));
  return switches;
}
