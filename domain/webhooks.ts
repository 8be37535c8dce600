/**
 * Events and webhook endpoints: the one list of event types, the shapes the API and stores share,
 * and the rules on where an endpoint may point (scheme, and the addresses its name resolves to).
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { enterpriseIdSchema } from './common';
import { canonicalIp, ipOfHostPort } from './sip';

/** Every event type, with what it means (the README's list is this one). */
export const EVENT_TYPES = {
  'case.stage_changed': 'a case moved to another stage',
  'case.awaiting': 'a case waits for an action: which, by whom (role) and by when',
  'case.action_taken': 'someone took an action on a case (who, which)',
  'case.step_done': 'a case finished a step',
  'case.step_failed': 'a step of a case failed (the case may go on)',
  'case.completed': 'a case completed',
  'case.failed': 'a case failed (with why)',
  'case.cancelled': 'a case was cancelled',
  'journey.milestone': "the enterprise's journey reached a milestone (verified, real-named, instance)",
  'number.activated': 'numbers entered service',
  'number.deactivated': 'numbers left service',
  'usage.statement': "a month's usage statement was issued",
} as const;
export type EventType = keyof typeof EVENT_TYPES;
export const eventTypeSchema = z.enum(Object.keys(EVENT_TYPES) as [EventType, ...EventType[]]);

/** An event as workflows emit it; the store adds the cursor. */
export interface ProductEvent {
  /** Stable across retries: the case, its run and the event's place in it. */
  id: string;
  type: EventType;
  occurredAt: string;
  enterpriseId: string;
  caseId: string;
  kind: string;
  data: Record<string, unknown>;
}

export const eventSchema = z.object({
  id: z.string(),
  type: eventTypeSchema,
  occurredAt: z.string(),
  enterpriseId: z.string(),
  caseId: z.string(),
  kind: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/** Events are kept this long, in the feed and for resends. */
export const EVENT_RETENTION_MS = 30 * 24 * 3600_000;

/** A position in the feed: opaque to clients, a sequence number inside. */
export const cursorSchema = z.string().regex(/^\d{1,18}$/, 'a cursor from an earlier page (nextCursor)');

const typesList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  )
  .pipe(z.array(eventTypeSchema).max(20));

export const eventsQuerySchema = z.strictObject({
  after: cursorSchema.optional(),
  types: typesList.optional(),
  enterpriseId: enterpriseIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const eventsPageSchema = z.object({
  items: z.array(eventSchema.extend({ cursor: z.string() })),
  nextCursor: z.string().nullable(),
});

const urlSchema = z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).max(2000);

export const endpointCreateSchema = z.strictObject({
  url: urlSchema,
  types: z.array(eventTypeSchema).max(20).default([]),
  description: z.string().max(500).default(''),
});

export const endpointPatchSchema = z.strictObject({
  url: urlSchema.optional(),
  types: z.array(eventTypeSchema).max(20).optional(),
  description: z.string().max(500).optional(),
  /** Re-enables an endpoint disabled after failing deliveries. */
  enabled: z.literal(true).optional(),
});

export const resendSchema = z.union([
  z.strictObject({ eventId: z.string().min(1).max(300) }),
  z.strictObject({ after: cursorSchema }),
]);

export type EndpointStatus = 'enabled' | 'disabled';

/** An endpoint as stored: its secrets stay in the store and the delivery activity. */
export interface StoredEndpoint {
  id: string;
  enterpriseId: string;
  url: string;
  /** Empty: every type. */
  types: EventType[];
  description: string;
  status: EndpointStatus;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
  /** Who hears that the endpoint was disabled (the enterprise's contact when known; support always). */
  contactEmail: string | null;
  secret: string;
  /** The secret before the last rotation, valid until `previousSecretExpiresAt`. */
  previousSecret: string | null;
  previousSecretExpiresAt: string | null;
}

export const endpointViewSchema = z.object({
  id: z.string(),
  enterpriseId: z.string(),
  url: z.string(),
  types: z.array(eventTypeSchema),
  description: z.string(),
  status: z.enum(['enabled', 'disabled']),
  disabledReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  previousSecretExpiresAt: z.string().nullable(),
  /** Only in the answer that creates the endpoint or rotates its secret. */
  secret: z.string().optional(),
});
export type EndpointView = z.output<typeof endpointViewSchema>;

export function endpointView(e: StoredEndpoint, now: number, withSecret = false): EndpointView {
  const previousValid = e.previousSecretExpiresAt && Date.parse(e.previousSecretExpiresAt) > now;
  return {
    id: e.id,
    enterpriseId: e.enterpriseId,
    url: e.url,
    types: e.types,
    description: e.description,
    status: e.status,
    disabledReason: e.disabledReason,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    previousSecretExpiresAt: previousValid ? e.previousSecretExpiresAt : null,
    ...(withSecret ? { secret: e.secret } : {}),
  };
}

/** One delivery attempt, as listed at `.../attempts`. */
export interface DeliveryAttempt {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  at: string;
  /** HTTP status, or null when none came back (refused address, timeout, connection error). */
  status: number | null;
  ok: boolean;
  latencyMs: number;
  /** The first bytes of the response, or why there was none. */
  response: string;
}

export const attemptSchema = z.object({
  id: z.string(),
  endpointId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  attempt: z.number(),
  at: z.string(),
  status: z.number().nullable(),
  ok: z.boolean(),
  latencyMs: z.number(),
  response: z.string(),
});

export const ROTATION_OVERLAP_MS = 24 * 3600_000;

export function wantsEvent(endpoint: Pick<StoredEndpoint, 'types' | 'enterpriseId'>, event: ProductEvent): boolean {
  return (
    endpoint.enterpriseId === event.enterpriseId && (endpoint.types.length === 0 || endpoint.types.includes(event.type))
  );
}

export interface WebhookUrlPolicy {
  /** http is accepted (development, tests); production takes https only. */
  allowHttp: boolean;
  /** Loopback and private receivers are accepted (local testing; refused in production). */
  allowPrivate: boolean;
  /** The provider's own addresses: never a receiver. */
  forbidden: readonly string[];
}

/** Why a URL cannot be an endpoint (scheme, credentials, a literal address it may not use); null when fine. */
export function urlProblem(url: string, policy: WebhookUrlPolicy): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (u.protocol !== 'https:' && !(policy.allowHttp && u.protocol === 'http:'))
    return policy.allowHttp ? 'only http and https URLs' : 'only https URLs are accepted';
  if (u.username || u.password) return 'a URL must not carry credentials';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (canonicalIp(host)) return addressProblem(host, policy);
  if (!policy.allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.')))
    return `${host} is not a public host name`;
  return null;
}

/**
 * Why a receiver may not be reached at this address; null when it may. Only public unicast
 * addresses, unless private ones are allowed (never the provider's own, never link-local: the
 * cloud metadata service lives there).
 */
export function addressProblem(
  ip: string,
  policy: Pick<WebhookUrlPolicy, 'allowPrivate' | 'forbidden'>,
): string | null {
  const canonical = canonicalIp(ip);
  if (!canonical) return `${ip} is not an IP address`;
  if (policy.forbidden.some((f) => ipOfHostPort(f) === canonical)) return `${ip} is one of the provider's addresses`;
  const range = ipaddr.parse(canonical).range();
  if (range === 'unicast') return null;
  if (policy.allowPrivate && ['private', 'loopback', 'uniqueLocal'].includes(range)) return null;
  return `${ip} is in the ${range} range; a receiver must be at a public address`;
}
