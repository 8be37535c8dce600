/**
 * Fast workflow tests: the real workflow bundle on the suite's Temporal dev server, with every
 * activity mocked. One worker per test file on its own task queue; each test owns a token that
 * appears in the ids of its workflows (children and subscriptions included, through the
 * enterprise id), so tests in one file may run side by side, each with its own mock answers and
 * its own record of calls.
 */
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import {
  Client,
  Connection,
  type WorkflowHandleWithFirstExecutionRunId,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { ApplicationFailure, type Workflow } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { BillingActivities, Invoice, Order } from '../../activities/billing';
import type { CheckActivities } from '../../activities/checks';
import type { AdminPasswordActivities, PlatformActivities } from '../../activities/contact-center';
import type { EmailActivities } from '../../activities/email';
import type { SipAccountActivities } from '../../activities/sip-accounts';
import type { SipGatewayActivities } from '../../activities/sip-gateway';
import type { SipProbeActivities } from '../../activities/sip-probe';
import type { SipWatchActivities } from '../../activities/sip-watch';
import type { UsageActivities } from '../../activities/usage';
import type { WebhookActivities } from '../../activities/webhooks';
import { perFile } from '../support/per-file';

type AllActivities = AdminPasswordActivities &
  BillingActivities &
  CheckActivities &
  EmailActivities &
  PlatformActivities &
  SipAccountActivities &
  SipGatewayActivities &
  SipProbeActivities &
  SipWatchActivities &
  UsageActivities &
  WebhookActivities;

/** The activities workflows call (the others are the API's or the workers' own business). */
export type MockedName =
  | 'sendEmail'
  | 'ensureBillingCustomer'
  | 'reserveNumbers'
  | 'tryReserveNumbers'
  | 'releaseReservation'
  | 'quarantineNumbers'
  | 'holdOwnNumbers'
  | 'releaseOwnNumbers'
  | 'numbersInService'
  | 'createOrder'
  | 'chargeOrder'
  | 'getOrder'
  | 'getNumber'
  | 'undoPurchase'
  | 'chargeRent'
  | 'requestInvoice'
  | 'getInvoice'
  | 'importNumbers'
  | 'releaseNumbers'
  | 'precheckApplication'
  | 'screenCallScript'
  | 'assignNumbers'
  | 'unassignNumbers'
  | 'platformAssignNumbers'
  | 'platformUnassignNumbers'
  | 'platformCreateInstance'
  | 'platformWithdrawInstance'
  | 'issueAdminPassword'
  | 'allowGateway'
  | 'disallowGateway'
  | 'deleteSipAccountsOf'
  | 'sipGatewayObserves'
  | 'sendOptions'
  | 'placeTestCall'
  | 'awaitCall'
  | 'awaitRegistration'
  | 'issueSipCredentials'
  | 'rateUsageMonth'
  | 'postUsageCharge'
  | 'recordEvent'
  | 'recordEvents'
  | 'pendingEvents'
  | 'deliverEvent'
  | 'disableEndpoint';

type Fn<N extends MockedName> = AllActivities[N];
/** How a mocked activity answers: like the real one (same arguments, same result type). */
export type Behaviour<N extends MockedName> = (
  ...args: Parameters<Fn<N>>
) => Awaited<ReturnType<Fn<N>>> | Promise<Awaited<ReturnType<Fn<N>>>>;
export type Behaviours = { [N in MockedName]?: Behaviour<N> };

export interface Call {
  name: MockedName;
  args: unknown[];
  workflowId: string;
}

// ---------------------------------------------------------------------------------------------
// Answers the real systems would give on a good day
// ---------------------------------------------------------------------------------------------

export const NUMBERS = { e164: ['+862066240001', '+862066240002'], display: ['020-66240001', '020-66240002'] };

export function order(overrides: Partial<Order> = {}): Order {
  return {
    id: 'ORD-1',
    customerId: 'cust-1',
    numbers: NUMBERS.e164,
    display: NUMBERS.display,
    type: 'fixed-line',
    prepaidMonths: 3,
    monthlyRentFen: 5_000,
    amountFen: 30_000,
    status: 'unpaid',
    paidAt: null,
    reference: 'case',
    ...overrides,
  };
}

export function invoice(overrides: Partial<Invoice> = {}): Invoice {
  return {
    id: 'INV-1',
    customerId: 'cust-1',
    orderId: 'ORD-1',
    title: '广州示例科技有限公司',
    remark: 'fixed lines',
    amountFen: 30_000,
    status: 'issued',
    requestedAt: new Date().toISOString(),
    issuedAt: new Date().toISOString(),
    pdfUrl: null,
    ...overrides,
  };
}

/** The SBC allows the gateway asked for; `state` tells whether it changed it itself or it waits for a hand. */
export function allowGatewayAs(state: Awaited<ReturnType<Fn<'allowGateway'>>>['state']): Behaviour<'allowGateway'> {
  return (g) => ({ ip: g.ip, port: g.port, transport: g.transport ?? 'udp', reference: g.reference, state });
}

/** The outbound test call as the SIP probe reports it, by its final answer: a 200 is answered and hung up with a BYE. */
export function testCallEnded(
  finalCode: number,
  finalReason: string,
  totalMs: number,
): Awaited<ReturnType<Fn<'placeTestCall'>>> {
  const answered = finalCode === 200;
  return {
    outcome: answered ? 'answered' : 'rejected',
    finalCode,
    finalReason,
    responses: [],
    timings: { totalMs },
    teardown: answered ? { method: 'BYE', code: 200 } : { method: 'none' },
    passed: answered,
    summary: `${finalCode} ${finalReason}${answered ? ', answered' : ''}`,
  };
}

const defaults: { [N in MockedName]: Behaviour<N> } = {
  sendEmail: async () => ({ messageId: `<${randomUUID()}@test>`, deduplicated: false }),
  ensureBillingCustomer: async () => ({ customerId: 'cust-1' }),
  reserveNumbers: async (r) => ({
    id: 'RES-1',
    numbers: NUMBERS.e164,
    display: NUMBERS.display,
    status: 'active',
    expiresAt: new Date(Date.now() + r.ttlSeconds * 1000).toISOString(),
  }),
  tryReserveNumbers: async (r) => ({
    status: 'reserved',
    reservation: {
      id: 'RES-2',
      numbers: NUMBERS.e164,
      display: NUMBERS.display,
      status: 'active',
      expiresAt: new Date(Date.now() + r.ttlSeconds * 1000).toISOString(),
    },
  }),
  releaseReservation: async () => undefined,
  quarantineNumbers: async (q) => ({ quarantined: q.numbers }),
  holdOwnNumbers: async () => ({ held: [] }),
  releaseOwnNumbers: async () => 'nothing held in billing',
  numbersInService: async () => [],
  createOrder: async (o) => order({ reference: o.reference }),
  chargeOrder: async () => ({ status: 'paid', value: order({ status: 'paid', paidAt: new Date().toISOString() }) }),
  getOrder: async () => order({ status: 'paid', paidAt: new Date().toISOString() }),
  getNumber: async () => null,
  undoPurchase: async () => 'order ORD-1 voided',
  chargeRent: async () => ({ status: 'paid', value: { id: 'CHG-1' } }),
  requestInvoice: async () => invoice(),
  getInvoice: async () => invoice(),
  importNumbers: async (i) => ({ numbers: i.numbers, display: i.numbers.map((n) => `display:${n}`) }),
  releaseNumbers: async () => undefined,
  precheckApplication: async () => ({
    failures: [],
    facts: {
      licence: { validFrom: '2020-03-01', validTo: null, longTerm: true, effectiveEnd: '2030-03-01' },
      mayHoldFixedLines: true,
    },
  }),
  screenCallScript: async () => ({ banned: [] }),
  assignNumbers: async (a) =>
    a.numbers.map((number) => ({
      number,
      instanceId: a.instanceId,
      reference: a.reference,
      origin: a.origin,
      assignedAt: new Date().toISOString(),
    })),
  unassignNumbers: async (u) => ({ removed: u.numbers }),
  platformAssignNumbers: async (a) => ({ assigned: a.numbers, rebound: [], unchanged: [] }),
  platformUnassignNumbers: async (u) => ({ removed: u.numbers, absent: [] }),
  platformCreateInstance: async (i) => ({
    instanceId: 'cc-1',
    enterpriseId: i.enterpriseId,
    centerName: i.centerName,
    status: 'active',
    admin: { ...i.admin, passwordSet: false, passwordSetAt: null, passwordVersion: 0 },
    agreement: i.agreement,
    defaults: { appId: 'app-default', ivrFlowId: 'ivr-default', skillGroupId: 'sg-default' },
    createdAt: new Date().toISOString(),
    suspendedAt: null,
  }),
  platformWithdrawInstance: async () => 'no instance was created',
  issueAdminPassword: async (p) => ({
    instanceId: p.instanceId,
    adminEmail: p.adminEmail,
    passwordVersion: p.reissue + 1,
    passwordSetAt: new Date().toISOString(),
    state: 'issued',
  }),
  allowGateway: allowGatewayAs('live'),
  disallowGateway: async () => ({ removed: 1, state: 'live' }),
  deleteSipAccountsOf: async () => ({ deleted: [{ username: 'gw1001', realm: 'cc-1.sip.test' }], state: 'live' }),
  sipGatewayObserves: async () => ({ calls: true, registrations: true }),
  sendOptions: async (o) => ({
    outcome: 'answered',
    code: 200,
    reason: 'OK',
    rttMs: 12,
    sent: `OPTIONS sip:${o.host}:${o.port}`,
    from: '127.0.0.1:5090',
  }),
  placeTestCall: async () => testCallEnded(200, 'OK', 1200),
  awaitCall: async (w) => ({
    callId: 'call-1',
    method: 'INVITE',
    sipCode: 200,
    sipReason: 'OK',
    sourceIp: w.sourceIp ?? '198.51.100.7',
    caller: '+8613800138000',
    callee: w.callees[0] ?? '',
    at: new Date().toISOString(),
    admitted: true,
  }),
  awaitRegistration: async () => ({
    contact: 'sip:gw1001@198.51.100.7:5060',
    transport: 'tcp',
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  }),
  // A month without calls; tests give their own calls.
  rateUsageMonth: async (r) => ({
    month: r.month,
    observable: true,
    calls: 0,
    minutes: 0,
    amountFen: 0,
    lines: [],
    unfinishedCalls: 0,
    ratedAt: new Date().toISOString(),
  }),
  postUsageCharge: async (p) => ({
    id: `UC-${p.idempotencyKey}`,
    amountFen: p.amountFen,
    supplement: p.supplement ?? 0,
    createdAt: new Date().toISOString(),
  }),
  issueSipCredentials: async (i) => ({ username: 'gw1001', realm: `${i.instanceId}.sip.test`, state: 'live' }),
  recordEvent: async () => undefined,
  recordEvents: async () => undefined,
  pendingEvents: async (i) => ({ status: 'enabled', items: [], cursor: i.after }),
  deliverEvent: async () => 'delivered' as const,
  disableEndpoint: async () => ({
    url: 'https://hooks.example.com/in',
    enterpriseId: 'ent',
    contactEmail: 'ops@ent.example.cn',
    reason: 'evt_2 could not be delivered; last answer: 503 receiver down',
  }),
};

// ---------------------------------------------------------------------------------------------
// Answers for the unhappy paths
// ---------------------------------------------------------------------------------------------

/** A permanent refusal, as the real activities raise them. */
export function refuse(type: string, message: string): never {
  throw ApplicationFailure.nonRetryable(message, type);
}

export interface Gate<T> {
  /** The mocked activity: hangs (heartbeating, so it hears a cancel) until released or cancelled. */
  behaviour: () => Promise<T>;
  /** Resolves once the activity has started. */
  started: Promise<void>;
  /** Resolves with how the hang ended. */
  ended: Promise<'released' | 'cancelled'>;
  release(value: T): void;
}

/** An activity that hangs until the test releases it or Temporal cancels it. */
export function gate<T>(): Gate<T> {
  let release!: (value: T) => void;
  const released = new Promise<T>((resolve) => (release = resolve));
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  let end!: (how: 'released' | 'cancelled') => void;
  const ended = new Promise<'released' | 'cancelled'>((resolve) => (end = resolve));
  return {
    started,
    ended,
    release,
    behaviour: async () => {
      markStarted();
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat(), 50);
      try {
        const value = await Promise.race([released, ctx.cancelled]);
        end('released');
        return value;
      } catch (err) {
        end('cancelled');
        throw err;
      } finally {
        clearInterval(beat);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The environment of one test file
// ---------------------------------------------------------------------------------------------

export interface Scenario {
  /** Appears in every workflow id of this test (put it in the enterprise id and the case id). */
  token: string;
  enterpriseId: string;
  /** A workflow id for this test: `<prefix>-<token>`. */
  id(prefix: string): string;
  /** Every call of this test's workflows so far. */
  calls(name?: MockedName): Call[];
  /** The arguments of each call to one activity (the single argument most activities take). */
  argsOf<N extends MockedName>(name: N): Parameters<Fn<N>>[0][];
  /** Emails sent (sendEmail requests). */
  emails(template?: string): Parameters<EmailActivities['sendEmail']>[0][];
  /** The templates of the emails sent, in the order sent. */
  templates(): string[];
  answer(behaviours: Behaviours): void;
}

export interface WorkflowTestEnv {
  client: Client;
  taskQueue: string;
  scenario(behaviours?: Behaviours): Scenario;
  /** Starts a case on this environment's worker, with its one input. */
  start<W extends Workflow>(
    workflow: W,
    input: Parameters<W>[0],
    workflowId: string,
  ): Promise<WorkflowHandleWithFirstExecutionRunId<W>>;
  stop(): Promise<void>;
}

/**
 * A file's `start(s, ...)`: the case's input made for the scenario (with any further arguments
 * of `input`), started under an id that carries the scenario's token.
 */
export function starter<W extends Workflow, R extends unknown[]>(
  env: WorkflowTestEnv,
  workflow: W,
  input: (s: Scenario, ...rest: R) => Parameters<W>[0],
  idPrefix: string,
): (s: Scenario, ...rest: R) => Promise<WorkflowHandleWithFirstExecutionRunId<W>> {
  return (s, ...rest) => env.start(workflow, input(s, ...rest), s.id(idPrefix));
}

/**
 * The preamble of a workflow test file: its environment, started before its tests and stopped
 * after them. What it returns is usable inside tests (and hooks declared after it).
 */
export function useWorkflowEnv(): WorkflowTestEnv {
  const started = perFile(startEnv, (env) => env.stop(), 'the workflow test environment');
  return {
    get client() {
      return started().client;
    },
    get taskQueue() {
      return started().taskQueue;
    },
    scenario: (behaviours) => started().scenario(behaviours),
    start: (workflow, input, workflowId) => started().start(workflow, input, workflowId),
    stop: () => started().stop(),
  };
}

let runtimeInstalled = false;

export async function startEnv(): Promise<WorkflowTestEnv> {
  if (!runtimeInstalled) {
    // Cases fail on purpose here: the worker's log only for its own errors.
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
    });
    runtimeInstalled = true;
  }
  const address = inject('temporalAddress');
  const taskQueue = `workflow-tests-${randomUUID()}`;
  const calls: Call[] = [];
  const scenarios = new Map<string, Behaviours>();

  const behaviourFor = <N extends MockedName>(name: N, workflowId: string): Behaviour<N> => {
    for (const [token, behaviours] of scenarios) {
      const own = behaviours[name];
      if (own && workflowId.includes(token)) return own as Behaviour<N>;
    }
    return defaults[name];
  };
  const activities = Object.fromEntries(
    (Object.keys(defaults) as MockedName[]).map((name) => [
      name,
      async (...args: unknown[]) => {
        const workflowId = Context.current().info.workflowExecution?.workflowId ?? '';
        calls.push({ name, args, workflowId });
        return (behaviourFor(name, workflowId) as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  );

  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities,
    // Hanging mocks heartbeat every 50 ms: a cancel reaches them at once, not after 30 s.
    defaultHeartbeatThrottleInterval: '50ms',
    maxHeartbeatThrottleInterval: '100ms',
  });
  const running = worker.run();
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection });

  return {
    client,
    taskQueue,
    start: <W extends Workflow>(workflow: W, input: Parameters<W>[0], workflowId: string) => {
      // Every case takes one input; the SDK's option type cannot see that through a generic.
      const options = { args: [input], taskQueue, workflowId } as unknown as WorkflowStartOptions<W>;
      return client.workflow.start(workflow, options);
    },
    scenario(behaviours = {}) {
      const token = randomUUID().slice(0, 8);
      scenarios.set(token, { ...behaviours });
      const mine = (name?: MockedName) =>
        calls.filter((c) => c.workflowId.includes(token) && (!name || c.name === name));
      const emails = (template?: string) =>
        mine('sendEmail')
          .map((c) => c.args[0] as Parameters<EmailActivities['sendEmail']>[0])
          .filter((e) => !template || e.template === template);
      return {
        token,
        enterpriseId: `ent-${token}`,
        id: (prefix) => `${prefix}-${token}`,
        calls: mine,
        argsOf: <N extends MockedName>(name: N) => mine(name).map((c) => c.args[0] as Parameters<Fn<N>>[0]),
        emails,
        templates: () => emails().map((e) => e.template),
        answer: (more) => scenarios.set(token, { ...scenarios.get(token), ...more }),
      };
    },
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await clientConnection.close();
    },
  };
}
