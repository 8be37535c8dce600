/**
 * Starts one real Temporal dev server (the built CLI, via `existing-path`) and bundles the
 * workflows once; test files connect to it with their own task queues and ids.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { bundleWorkflows, startTemporalServer } from './stack';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTemporalServer();
  const bundlePath = await bundleWorkflows();
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', bundlePath);
  return async () => {
    await server.stop();
    await rm(path.dirname(bundlePath), { recursive: true, force: true });
  };
}
