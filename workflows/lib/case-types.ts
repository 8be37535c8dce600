/**
 * The plain pieces a case is made of: the workflow's clock, the shapes of actions, waits and
 * endings, and the small checks and summaries the case applies to what it receives.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { ActingKind, ActionName, Payload } from '../../contract/actions';
import { ROLES, type Actor, type AwaitedAction, type CaseReport, type Role } from '../../contract/case';
import type { RuleFailure } from '../../domain/common';

/** The workflow's clock. Deterministic inside the workflow sandbox (time of the current task). */
export function now(): number {
  // eslint-disable-next-line no-restricted-syntax -- the one sanctioned read; the sandbox makes it deterministic
  return Date.now();
}
export function isoAt(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** A broken rule an action is refused for, addressed to the field it is about. */
export type { RuleFailure };

/** An action this case received, with its payload typed by its name. */
export type Received<K extends ActingKind, A extends ActionName<K>> = {
  [N in A]: { name: N; actor: Actor; payload: Payload<K, N> };
}[A];

/** Rules beyond the payload's shape that depend on the case (plain checks; the API did the rest). */
export type CaseRules<K extends ActingKind> = { [A in ActionName<K>]?: (payload: Payload<K, A>) => RuleFailure[] };

export interface Awaiting<A extends string> {
  action: A;
  role: Role;
}

export interface WaitOptions {
  /** Runs once the stage is entered, e.g. to tell whoever must act; gets the stage's due time. */
  onEnter?: (dueAt: number | undefined) => void;
  remindEveryMs?: number;
  firstReminderMs?: number;
  onReminder?: (n: number, since: number) => void;
}

/** How a case tells people it ended other than by completing (the cancellation email is common). */
export interface Ending {
  /** `case-cancelled` email: e.g. `号码申请 / number purchase`. */
  kindLabel: string;
  /** Who hears about the ending (may change during the case, e.g. a corrected contact). */
  to: () => string;
  companyName: () => string;
  /** The kind's own failure email or report; runs after the compensations, before the failure is thrown. */
  onFailure?: (error: { type: string; message: string }, undone: string[]) => void;
}

/** The ending of a case that speaks to the enterprise's contact named in its input, with the kind's own failure email. */
export const contactEnding = (
  input: { contactEmail: string; companyName: string },
  kindLabel: string,
  onFailure?: Ending['onFailure'],
): Ending => ({
  kindLabel,
  to: () => input.contactEmail,
  companyName: () => input.companyName,
  ...(onFailure ? { onFailure } : {}),
});

/**
 * A wait listed beside the awaited actions: one that is not an action (`for`: a payment, a choice
 * the enterprise makes elsewhere), or, in a journey, what one of its cases awaits (`caseId`).
 */
export type Wait = Omit<AwaitedAction, 'since'> & { since?: string };

/** What a case tells its journey beyond its stage: the instance and numbers it brings into service. */
export type ServiceFacts = Pick<CaseReport, 'instanceId' | 'numbers' | 'inService' | 'verified'>;

/**
 * What went wrong, for the case's `error`: activity and child failures wrap the failure that says
 * it, so unwrap to the innermost application failure. Anything else is a bug in the workflow.
 */
export function failureOf(err: unknown): { type: string; message: string } {
  let e: unknown = err;
  while (e instanceof Error && !(e instanceof ApplicationFailure) && (e as { cause?: unknown }).cause instanceof Error)
    e = (e as { cause?: unknown }).cause;
  if (e instanceof ApplicationFailure) return { type: e.type ?? 'Failed', message: e.message };
  return { type: 'InternalError', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
}

export function actorOrUndefined(value: unknown): Actor | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const a = value as Record<string, unknown>;
  const known = new Set(['role', 'name', 'enterpriseId']);
  if (Object.keys(a).some((k) => !known.has(k))) return undefined;
  if (!isRole(a.role)) return undefined;
  if (typeof a.name !== 'string' || a.name.length < 1 || a.name.length > 200) return undefined;
  if (
    a.enterpriseId !== undefined &&
    (typeof a.enterpriseId !== 'string' || a.enterpriseId.length < 1 || a.enterpriseId.length > 64)
  )
    return undefined;
  return { role: a.role, name: a.name, ...(a.enterpriseId !== undefined ? { enterpriseId: a.enterpriseId } : {}) };
}

function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}

/** A one-line, secret-free account of an action's payload for `steps`. */
export function summarise(payload: unknown): string | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const p = payload as Record<string, unknown>;
  if (typeof p.note === 'string') return p.note;
  if (typeof p.reason === 'string') return p.reason;
  if (Array.isArray(p.reasons))
    return p.reasons.map((r: { code?: string; message?: string }) => `${r.code}: ${r.message}`).join('; ');
  const keys = Object.keys(p);
  return keys.length ? `with ${keys.join(', ')}` : undefined;
}
