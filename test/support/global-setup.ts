/**
 * Starts one real Temporal dev server (the built CLI, via `existing-path`) and bundles the
 * workflows once; test files connect to it with their own task queues and ids.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { resolveTemporalCli } from '../../dev/temporal-cli';
import { AwaitingRoleKey, EnterpriseIdKey, OnboardingKindKey, OnboardingStageKey } from '../../domain/search-attributes';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const executable = await resolveTemporalCli();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: executable },
      ip: '127.0.0.1',
      searchAttributes: [EnterpriseIdKey, OnboardingKindKey, OnboardingStageKey, AwaitingRoleKey],
      log: { format: 'pretty', level: 'error' },
    },
  });
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', '..', 'workflows', 'index.ts'), logger: quietLogger });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'onboarding-bundle-'));
  const bundlePath = path.join(dir, 'workflows-bundle.js');
  await writeFile(bundlePath, code);

  project.provide('temporalAddress', env.connection.options.address);
  project.provide('workflowBundlePath', bundlePath);
  return async () => {
    await env.teardown();
  };
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
