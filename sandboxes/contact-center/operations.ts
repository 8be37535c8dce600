/**
 * The contact-center platform's rules: instances and their administrator, apps, IVR flows,
 * skill groups, and the numbers assigned to an instance with their bindings, as changes of
 * `ContactCenterData`.
 *
 * Each operation runs synchronously inside one store update: it checks everything first and
 * throws a ProblemError for a refusal, and only then changes state, so a refusal changes nothing.
 */
import { z } from 'zod';
import { hashPassword, verifyPassword } from '../../activities/sip-credentials';
import type { Result } from '../common/idempotency';
import { ProblemError, conflict, notFound, unprocessable, type FieldError } from '../common/problem';
import {
  childKey,
  newId,
  type App,
  type CallingRules,
  type ContactCenterData,
  type Instance,
  type IvrFlow,
  type NumberAssignment,
  type NumberBinding,
  type SkillGroup,
} from './store';

/** A change in progress: the data and its time. */
export interface Tx {
  data: ContactCenterData;
  now: string;
}

export type { Result } from '../common/idempotency';

/** Made with every instance, so numbers can be bound before anything else is set up. */
export const DEFAULT_APP_ID = 'app-default';
export const DEFAULT_IVR_FLOW_ID = 'ivr-default';
export const DEFAULT_SKILL_GROUP_ID = 'sg-default';

export const MAX_NUMBERS_PER_REQUEST = 100;
/** Console passwords: long, with lower case, upper case and digits. */
export const PASSWORD_MIN_LENGTH = 12;

const text = (max: number) => z.string().trim().min(1).max(max);
const resourceId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'an id such as app-default');
export const e164Schema = z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as +862066240001');
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time such as 08:00');

const callingRulesSchema = z.strictObject({
  maxConcurrentCalls: z.int().min(1).optional(),
  callingHours: z
    .array(z.strictObject({ from: clock, to: clock }))
    .min(1)
    .max(10)
    .optional(),
  perCalleeDailyLimit: z
    .union([z.int().min(1), z.strictObject({ min: z.int().min(1), max: z.int().min(1) })])
    .optional(),
  perCalleeCountedOn: z.enum(['rung-or-answered', 'answered']).optional(),
  noCallingPastComplainants: z.boolean().optional(),
  noBlindCalling: z.boolean().optional(),
  blindRegions: z.array(text(50)).max(100).optional(),
});

/** Every field optional: a number may be assigned before it is bound to anything. */
export const bindingSchema = z.strictObject({
  appId: resourceId.optional(),
  ivrFlowId: resourceId.optional(),
  skillGroupId: resourceId.optional(),
  callingRules: callingRulesSchema.optional(),
});
type BindingInput = z.output<typeof bindingSchema>;

export const createInstanceSchema = z.strictObject({
  enterpriseId: text(100),
  centerName: text(100),
  admin: z.strictObject({ name: text(100), email: z.email() }),
  agreement: z.strictObject({ version: text(50), acceptedAt: z.iso.datetime({ offset: true }) }),
});

export const instancesQuerySchema = z.strictObject({
  enterpriseId: text(100).optional(),
  status: z.enum(['active', 'suspended']).optional(),
});

export const suspendInstanceSchema = z.strictObject({ reason: z.string().trim().max(500).optional() });

export const setPasswordSchema = z.strictObject({
  password: z
    .string()
    .min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`)
    .max(128)
    .refine((p) => /[a-z]/.test(p) && /[A-Z]/.test(p) && /\d/.test(p), 'needs lower case, upper case and a digit'),
});

export const signInSchema = z.strictObject({ email: z.email(), password: z.string().min(1).max(128) });

export const createAppSchema = z.strictObject({ name: text(100), description: z.string().trim().max(500).optional() });
export const createIvrFlowSchema = z.strictObject({ name: text(100), appId: resourceId.optional() });
export const createSkillGroupSchema = z.strictObject({ name: text(100) });
type SuspendInput = z.output<typeof suspendInstanceSchema>;
type PasswordInput = z.output<typeof setPasswordSchema>;
type IvrFlowInput = z.output<typeof createIvrFlowSchema>;
type SkillGroupInput = z.output<typeof createSkillGroupSchema>;

export const assignNumbersSchema = z
  .strictObject({
    numbers: z.array(e164Schema).min(1).max(MAX_NUMBERS_PER_REQUEST),
    binding: bindingSchema.default({}),
    reference: text(200).optional(),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.numbers.forEach((number, i) => {
      if (seen.has(number)) ctx.addIssue({ code: 'custom', path: ['numbers', i], message: 'listed twice' });
      seen.add(number);
    });
  });

export const emptyBodySchema = z.strictObject({});

/** What callers see of an instance: everything but the password hash. */
export interface InstanceView extends Omit<Instance, 'admin'> {
  admin: { name: string; email: string; passwordSet: boolean; passwordSetAt: string | null; passwordVersion: number };
  defaults: { appId: string; ivrFlowId: string; skillGroupId: string };
}

export function instanceView(instance: Instance): InstanceView {
  const { admin, ...rest } = instance;
  return {
    ...rest,
    admin: {
      name: admin.name,
      email: admin.email,
      passwordSet: admin.passwordHash !== null,
      passwordSetAt: admin.passwordSetAt,
      passwordVersion: admin.passwordVersion,
    },
    defaults: { appId: DEFAULT_APP_ID, ivrFlowId: DEFAULT_IVR_FLOW_ID, skillGroupId: DEFAULT_SKILL_GROUP_ID },
  };
}

/** Center names compare without regard to case, width or surrounding and repeated spaces. */
function nameKey(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export function getInstance(data: Readonly<ContactCenterData>, instanceId: string): Instance {
  const instance = data.instances[instanceId];
  if (!instance) throw notFound('instance', instanceId);
  return instance;
}

function activeInstance(data: Readonly<ContactCenterData>, instanceId: string): Instance {
  const instance = getInstance(data, instanceId);
  if (instance.status !== 'active') {
    throw conflict(
      'instance-suspended',
      'Instance suspended',
      `instance ${instanceId} is suspended; it takes no changes`,
    );
  }
  return instance;
}

export function createInstance({ data, now }: Tx, input: z.output<typeof createInstanceSchema>): Result<InstanceView> {
  const key = nameKey(input.centerName);
  const taken = Object.values(data.instances).find(
    (i) => i.enterpriseId === input.enterpriseId && nameKey(i.centerName) === key,
  );
  if (taken) {
    throw new ProblemError(
      409,
      'center-name-taken',
      'Center name taken',
      `enterprise ${input.enterpriseId} already has a contact center named "${taken.centerName}" (${taken.instanceId})`,
      [{ path: 'centerName', message: 'already used by another instance of this enterprise' }],
      {},
      { extensions: { instanceId: taken.instanceId } },
    );
  }
  const instance: Instance = {
    instanceId: newId('cc'),
    enterpriseId: input.enterpriseId,
    centerName: input.centerName,
    status: 'active',
    admin: {
      name: input.admin.name,
      email: input.admin.email,
      passwordHash: null,
      passwordSetAt: null,
      passwordVersion: 0,
    },
    agreement: { version: input.agreement.version, acceptedAt: new Date(input.agreement.acceptedAt).toISOString() },
    createdAt: now,
    updatedAt: now,
    suspendedAt: null,
    suspendReason: null,
  };
  const id = instance.instanceId;
  data.instances[id] = instance;
  data.apps[childKey(id, DEFAULT_APP_ID)] = {
    appId: DEFAULT_APP_ID,
    instanceId: id,
    name: 'Default app',
    description: null,
    createdAt: now,
  };
  data.ivrFlows[childKey(id, DEFAULT_IVR_FLOW_ID)] = {
    ivrFlowId: DEFAULT_IVR_FLOW_ID,
    instanceId: id,
    name: 'Default IVR flow',
    appId: DEFAULT_APP_ID,
    createdAt: now,
  };
  data.skillGroups[childKey(id, DEFAULT_SKILL_GROUP_ID)] = {
    skillGroupId: DEFAULT_SKILL_GROUP_ID,
    instanceId: id,
    name: 'Default skill group',
    createdAt: now,
  };
  return { status: 201, body: instanceView(instance) };
}

/** Suspending a suspended instance changes nothing and answers the same. */
export function suspendInstance({ data, now }: Tx, instanceId: string, input: SuspendInput): Result<InstanceView> {
  const instance = getInstance(data, instanceId);
  if (instance.status !== 'suspended') {
    instance.status = 'suspended';
    instance.suspendedAt = now;
    instance.suspendReason = input.reason || null;
    instance.updatedAt = now;
  }
  return { status: 200, body: instanceView(instance) };
}

export function setAdminPassword({ data, now }: Tx, instanceId: string, input: PasswordInput): Result<unknown> {
  const instance = activeInstance(data, instanceId);
  instance.admin.passwordHash = hashPassword(input.password);
  instance.admin.passwordSetAt = now;
  instance.admin.passwordVersion += 1;
  instance.updatedAt = now;
  return {
    status: 200,
    body: {
      instanceId,
      email: instance.admin.email,
      passwordSetAt: now,
      passwordVersion: instance.admin.passwordVersion,
    },
  };
}

export function createApp({ data, now }: Tx, instanceId: string, input: z.output<typeof createAppSchema>): Result<App> {
  activeInstance(data, instanceId);
  const app: App = {
    appId: newId('app'),
    instanceId,
    name: input.name,
    description: input.description || null,
    createdAt: now,
  };
  data.apps[childKey(instanceId, app.appId)] = app;
  return { status: 201, body: app };
}

export function createIvrFlow({ data, now }: Tx, instanceId: string, input: IvrFlowInput): Result<IvrFlow> {
  activeInstance(data, instanceId);
  const missing = unknownReferences(data, instanceId, { appId: input.appId }, '');
  if (missing.length) throw unprocessable(`the IVR flow names what instance ${instanceId} does not have`, missing);
  const flow: IvrFlow = {
    ivrFlowId: newId('ivr'),
    instanceId,
    name: input.name,
    appId: input.appId ?? null,
    createdAt: now,
  };
  data.ivrFlows[childKey(instanceId, flow.ivrFlowId)] = flow;
  return { status: 201, body: flow };
}

export function createSkillGroup({ data, now }: Tx, instanceId: string, input: SkillGroupInput): Result<SkillGroup> {
  activeInstance(data, instanceId);
  const group: SkillGroup = { skillGroupId: newId('sg'), instanceId, name: input.name, createdAt: now };
  data.skillGroups[childKey(instanceId, group.skillGroupId)] = group;
  return { status: 201, body: group };
}

/** The instance's resources of one kind, oldest first. */
export function childrenOf<T extends { instanceId: string; createdAt: string }>(
  collection: Readonly<Record<string, T>>,
  instanceId: string,
): T[] {
  return Object.values(collection)
    .filter((item) => item.instanceId === instanceId)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Every app, IVR flow and skill group a binding names that the instance lacks, one error each. */
function unknownReferences(
  data: Readonly<ContactCenterData>,
  instanceId: string,
  binding: Pick<BindingInput, 'appId' | 'ivrFlowId' | 'skillGroupId'>,
  prefix: string,
): FieldError[] {
  const errors: FieldError[] = [];
  const check = (
    field: string,
    id: string | undefined,
    collection: Readonly<Record<string, unknown>>,
    what: string,
  ) => {
    if (id !== undefined && !collection[childKey(instanceId, id)])
      errors.push({ path: `${prefix}${field}`, message: `no ${what} ${id} in instance ${instanceId}` });
  };
  check('appId', binding.appId, data.apps, 'app');
  check('ivrFlowId', binding.ivrFlowId, data.ivrFlows, 'IVR flow');
  check('skillGroupId', binding.skillGroupId, data.skillGroups, 'skill group');
  return errors;
}

function toBinding(input: BindingInput): NumberBinding {
  return {
    appId: input.appId ?? null,
    ivrFlowId: input.ivrFlowId ?? null,
    skillGroupId: input.skillGroupId ?? null,
    callingRules: input.callingRules ? (structuredClone(input.callingRules) as CallingRules) : null,
  };
}

/**
 * Assigns numbers to the instance with one binding, all or none. A number already on this
 * instance takes the new binding; one on another instance refuses the whole request.
 */
export function assignNumbers(
  { data, now }: Tx,
  instanceId: string,
  input: z.output<typeof assignNumbersSchema>,
): Result<{ instanceId: string; items: NumberAssignment[] }> {
  const instance = activeInstance(data, instanceId);
  const missing = unknownReferences(data, instanceId, input.binding, 'binding.');
  if (missing.length) throw unprocessable(`the binding names what instance ${instanceId} does not have`, missing);
  const elsewhere: FieldError[] = [];
  input.numbers.forEach((number, i) => {
    const current = data.numbers[number];
    if (current && current.instanceId !== instanceId)
      elsewhere.push({ path: `numbers.${i}`, message: `${number} is assigned to instance ${current.instanceId}` });
  });
  if (elsewhere.length) {
    throw new ProblemError(
      409,
      'number-assigned-elsewhere',
      'Number assigned elsewhere',
      'numbers are assigned to another instance; unassign them there first',
      elsewhere,
    );
  }
  const binding = toBinding(input.binding);
  const items = input.numbers.map((number) => {
    const current = data.numbers[number];
    const assignment: NumberAssignment = current
      ? {
          ...current,
          binding: structuredClone(binding),
          reference: input.reference ?? current.reference,
          updatedAt: now,
        }
      : {
          number,
          instanceId,
          enterpriseId: instance.enterpriseId,
          binding: structuredClone(binding),
          reference: input.reference ?? null,
          assignedAt: now,
          updatedAt: now,
        };
    data.numbers[number] = assignment;
    return assignment;
  });
  return { status: 200, body: { instanceId, items } };
}

function assignedHere(data: Readonly<ContactCenterData>, instanceId: string, number: string): NumberAssignment {
  getInstance(data, instanceId);
  const assignment = data.numbers[number];
  if (!assignment || assignment.instanceId !== instanceId)
    throw notFound(`number assigned to instance ${instanceId}:`, number);
  return assignment;
}

/** Replaces a number's binding; what the body leaves out is unbound. */
export function rebindNumber(
  { data, now }: Tx,
  instanceId: string,
  number: string,
  input: BindingInput,
): Result<NumberAssignment> {
  const assignment = assignedHere(data, instanceId, number);
  activeInstance(data, instanceId);
  const missing = unknownReferences(data, instanceId, input, '');
  if (missing.length) throw unprocessable(`the binding names what instance ${instanceId} does not have`, missing);
  assignment.binding = toBinding(input);
  assignment.updatedAt = now;
  return { status: 200, body: assignment };
}

/** Allowed on a suspended instance too: releasing numbers must always be possible. */
export function unassignNumber(
  { data, now }: Tx,
  instanceId: string,
  number: string,
): Result<{ number: string; instanceId: string; unassignedAt: string }> {
  assignedHere(data, instanceId, number);
  delete data.numbers[number];
  return { status: 200, body: { number, instanceId, unassignedAt: now } };
}

/** Whether an email and password sign in to the instance's console. */
export function signsIn(instance: Instance, email: string, password: string): boolean {
  return (
    instance.admin.email.toLowerCase() === email.trim().toLowerCase() &&
    instance.admin.passwordHash !== null &&
    verifyPassword(password, instance.admin.passwordHash)
  );
}
