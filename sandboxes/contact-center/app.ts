/**
 * The contact-center sandbox: the HTTP contract of the cloud contact-center platform (instances,
 * their administrator, apps, IVR flows, skill groups, numbers and their bindings), backed by a
 * JSON file, with switchable faults so clients can be tested against latency, outages and
 * timeouts.
 *
 * /v1 routes need `Authorization: Bearer <api key>`; every write under /v1 needs an
 * `Idempotency-Key`, and its first response is stored and replayed for retries (the same key
 * with another body is a 409). Faults strike before any state is touched, so retrying a failed
 * or timed-out write with its key is safe. /_sandbox routes control and inspect the sandbox
 * itself; /console is a bare sign-in page for administrators. Neither is part of the contract.
 *
 * Business rules live in `operations.ts`; the routes in `api-routes.ts` and `console.ts`.
 */
import type express from 'express';
import { z } from 'zod';
import { faultSwitchesFrom, faultSwitchesShape, type Faults } from '../common/faults';
import { createSandboxHttp, openStore, type SandboxOptions } from '../common/http';
import { mountContactCenterApi } from './api-routes';
import { mountConsole } from './console';
import type { Tx } from './operations';
import { ContactCenterStore } from './store';

export type { Faults };

export type ContactCenterSandboxOptions = SandboxOptions<ContactCenterStore>;

export interface ContactCenterSandbox {
  app: express.Express;
  store: ContactCenterStore;
  faults(): Faults;
  /** Changes some switches; invalid values throw a 400 ProblemError and change nothing. */
  setFaults(patch: Partial<Faults>): Faults;
  /** Drops requests held by simulated timeouts and waits for pending writes to reach the file. */
  close(): Promise<void>;
}

const faultsPatchSchema = z.strictObject(faultSwitchesShape);

export function createContactCenterSandbox(options: ContactCenterSandboxOptions): ContactCenterSandbox {
  const store = openStore('createContactCenterSandbox', options, (file) => ContactCenterStore.load(file));
  const clock = options.now ?? (() => new Date());
  const faults = faultSwitchesFrom<Faults>(
    faultsPatchSchema,
    { latencyMs: 0, failureRate: 0, timeoutRate: 0 },
    options,
  );
  const http = createSandboxHttp({
    name: 'contact-center',
    apiKey: options.apiKey,
    store,
    faults,
    commit: <T>(change: (tx: Tx) => T) => store.update((data) => change({ data, now: clock().toISOString() })),
    clock,
    random: options.random ?? Math.random,
    timeoutHoldMs: options.timeoutHoldMs,
    bodyLimit: options.bodyLimit,
    controlRoutes: options.controlRoutes ?? true,
    // A sign-in check is a POST but changes nothing.
    readOnlyPost: (path) => path.endsWith('/admin/sign-in'),
    secretSalt: () => store.data.fingerprintSalt,
  });
  mountConsole(http.app, store);
  mountContactCenterApi(http, store);
  http.finish();

  return {
    app: http.app,
    store,
    faults: () => faults.get(),
    setFaults: (patch) => faults.set(patch),
    async close() {
      http.releaseHeld();
      await store.flush();
    },
  };
}
