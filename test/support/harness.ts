/**
 * A whole product stack for one test file, on the suite's Temporal server and workflow bundle
 * (from global-setup through vitest's `inject`): see `stack.ts`, which holds everything that does
 * not need vitest, for `npm run bench` and `npm run chaos` too. Tenants get fresh ids per harness.
 */
import { afterAll, beforeAll, inject } from 'vitest';
import type { SipGateway } from '../../activities/sip-gateway';
import { instanceFor, verifiedEnterprise, type TestInstance } from './fixtures';
import { startTestSbc, type TestSbc, type TestSbcOptions } from './sbc';
import { billingCall, startStack, type Stack, type StackOptions } from './stack';

export { caseApi, type CaseApi } from './api';

export {
  activityRunning,
  bearer,
  billingCall,
  caseWhen,
  completedAttempt,
  eventually,
  MailCatcher,
  sandboxRequests,
  type ReceivedEmail,
} from './stack';

export type Harness = Stack;

export interface HarnessOptions extends Omit<StackOptions, 'temporalAddress' | 'workflowBundlePath' | 'env'> {
  /** A SIP gateway double, e.g. one that fails, in place of the recording gateway. */
  sipGateway?: SipGateway;
}

export async function startHarness(env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  return startStack({
    ...options,
    env,
    temporalAddress: inject('temporalAddress'),
    workflowBundlePath: inject('workflowBundlePath'),
  });
}

/** A harness setting, or a function that gives it when the harness starts (after earlier hooks). */
export type HarnessSetting<T> = T | (() => T | Promise<T>);

const settle = async <T extends object>(setting: HarnessSetting<T>): Promise<T> =>
  typeof setting === 'function' ? await setting() : setting;

/**
 * Something a test file starts before its tests (after the hooks declared earlier) and stops after
 * them (before the things declared earlier stop). What it returns stands for the started thing
 * inside tests and later hooks.
 */
export function useStarted<T extends object>(start: () => Promise<T>, stop: (started: T) => Promise<void>): T {
  let current: T | undefined;
  beforeAll(async () => {
    current = await start();
  });
  afterAll(async () => {
    if (current) await stop(current);
  });
  const started = (): T => {
    if (!current) throw new Error('started before the tests: use it inside one, or in a later hook');
    return current;
  };
  return new Proxy({} as T, {
    get(_, key) {
      const target = started();
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set: (_, key, value) => Reflect.set(started(), key, value),
    has: (_, key) => Reflect.has(started(), key),
    ownKeys: () => Reflect.ownKeys(started()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(started(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
  });
}

/** The preamble of an integration test file: its harness, with the settings given (or given late). */
export function useHarness(
  env: HarnessSetting<Record<string, string>> = {},
  options: HarnessSetting<HarnessOptions> = {},
): Harness {
  return useStarted(
    async () => startHarness(await settle(env), await settle(options)),
    (h) => h.stop(),
  );
}

/** A file's own SBC on the loopback range `net` (see `startTestSbc`), for the file's tests. */
export function useTestSbc(net: string, options?: TestSbcOptions | string): TestSbc {
  return useStarted(
    () => startTestSbc(net, options),
    (sbc) => sbc.stop(),
  );
}

/** A harness on the file's own SBC: the SBC's settings and `env`, the SBC as its SIP gateway. */
export function useSbcHarness(
  net: string,
  env: Record<string, string> = {},
  sbcOptions?: TestSbcOptions,
): { sbc: TestSbc; h: Harness } {
  const sbc = useTestSbc(net, sbcOptions);
  const h = useHarness(
    () => ({ ...sbc.env, ...env }),
    () => ({ sipGateway: sbc.gateway }),
  );
  return { sbc, h };
}

/**
 * The first enterprise verified (so a billing customer, given `creditFen` when set) with a
 * contact-center instance, before the tests: the instance and the customer's id.
 */
export function useVerifiedInstance(h: Harness, o: { creditFen?: number } = {}): TestInstance & { customerId: string } {
  return useStarted(
    async () => {
      const customerId = await verifiedEnterprise(h, h.enterprises.a, h.tokens.entA);
      const instance = await instanceFor(h, h.enterprises.a);
      if (o.creditFen) await billingCall(h, 'POST', `/v1/customers/${customerId}/credits`, { amountFen: o.creditFen });
      return { ...instance, customerId };
    },
    async () => {},
  );
}
