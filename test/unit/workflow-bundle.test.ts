/**
 * Every cached case evaluates the whole workflow bundle, so it holds orchestration only: no
 * validation library, no phone-number metadata, no address parser, no catalogue. Measured at
 * 2.55 MB with every kind, usage billing, real-name verification, number recovery and the registry
 * of kinds with each kind's opening (903 KB of code, the rest the inline source map, which carries
 * each declaration and its types; the SDK alone, for a workflow with no logic: 1.64 MB); the
 * budget leaves room for a few more steps, not a library.
 */
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';

const BUDGET_BYTES = 2_600_000;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
let code: string;

beforeAll(async () => {
  ({ code } = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, '..', '..', 'workflows', 'index.ts'),
    logger: quiet,
  }));
}, 60_000);

describe('the workflow bundle', () => {
  it.each([
    ['zod', /node_modules\/zod\//],
    ['libphonenumber-js', /node_modules\/libphonenumber-js\//],
    ['ipaddr.js', /node_modules\/ipaddr\.js\//],
    ['the supplier catalogue', /domain\/catalog(\.ts|\/)|a-invitation-fixed/],
    ['the domain rules with their schemas', /domain\/(numbers|verification|eligibility|sip|own400|common)\.ts/],
  ])('holds no %s', (_name, pattern) => {
    expect(code).not.toMatch(pattern);
  });

  it(`stays under ${BUDGET_BYTES} bytes`, () => {
    expect(code.length).toBeLessThan(BUDGET_BYTES);
    // Still the real bundle: every workflow is in it.
    for (const wf of [
      'enterprise-verification',
      'number-purchase',
      'number-subscription',
      'own-400-landing',
      'sip-trunk',
      'sip-registration',
      'third-party-line',
    ]) {
      expect(code).toContain(`workflows/${wf}.ts`);
    }
  });
});
