/**
 * A new kind touches its own files and one line in each folder's index, nothing else: a throwaway
 * kind is added to a copy of the tree, which must still compile. What it had to change is listed
 * in ADDED and EDITED below.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KIND_REGISTRY, ONBOARDING_KINDS } from '../../contract/kinds';
import * as workflows from '../../workflows';
import { KINDS } from '../../api/kinds';

const ROOT = path.join(__dirname, '..', '..');
const COPIED = ['activities', 'api', 'config', 'contract', 'domain', 'emails', 'sbc', 'sip', 'storage', 'workflows'];

/** The new kind's own files: its declaration, its workflow, its API entry. */
const ADDED: Record<string, string> = {
  'contract/kinds/line-check.ts': `import type { JourneyLink } from '../inputs';
import { kind, perRequestId, support } from './define';
export interface LineCheckInput extends JourneyLink { enterpriseId: string; line: string }
export const lineCheck = kind<{ input: LineCheckInput; result: { line: string; ok: boolean }; payloads: { confirm: import('zod').ZodObject<{}> }; start: never }>()({
  name: 'line-check',
  workflowType: 'lineCheck',
  stages: ['awaiting-confirmation'],
  actions: { confirm: { roles: support, summary: 'Confirm the line works' } },
  failures: ['LineDead'],
  workflowId: perRequestId('line-check'),
  fixedId: false,
  opening: () => ({ stage: 'awaiting-confirmation', awaiting: [{ action: 'confirm', role: 'support' }] }),
});
`,
  'workflows/line-check.ts': `import type { LineCheckInput } from '../contract/kinds/line-check';
import { OnboardingCase } from './lib/case';
export async function lineCheck(input: LineCheckInput): Promise<{ line: string; ok: boolean }> {
  const c = new OnboardingCase({ kind: 'line-check', enterpriseId: input.enterpriseId, stage: 'awaiting-confirmation' });
  return c.run({ kindLabel: 'line check', to: () => 'support', companyName: () => input.enterpriseId }, async () => {
    await c.awaitAction('awaiting-confirmation', [{ action: 'confirm', role: 'support' }]);
    if (input.line === '') throw c.fail('LineDead', 'no line');
    return { line: input.line, ok: true };
  });
}
`,
  'api/kinds/line-check.ts': `import { z } from 'zod';
import { lineCheck } from '../../workflows/line-check';
import { defineKind } from './shared';
export const lineCheckKind = defineKind('line-check', {
  summary: 'Check a line (started by other cases)',
  workflow: lineCheck,
  payloads: { confirm: z.object({}) },
  result: z.object({ line: z.string(), ok: z.boolean() }),
});
`,
};

/** One line in each index (the registry, the workflow bundle, the API's table) and its import: [after, line]. */
const EDITED: Record<string, [after: string, line: string][]> = {
  'contract/kinds/index.ts': [
    ['export const KIND_REGISTRY = byName(', '  lineCheck,\n'],
    ["import { usageBilling } from './usage-billing';", "import { lineCheck } from './line-check';\n"],
  ],
  'workflows/index.ts': [
    ["export { webhookDelivery } from './webhook-delivery';", "export { lineCheck } from './line-check';\n"],
  ],
  'api/kinds/index.ts': [
    ['export const KINDS: { [K in OnboardingKind]: TypedKind<K> } = {', "  'line-check': lineCheckKind,\n"],
    ["import { usageBillingKind } from './usage-billing';", "import { lineCheckKind } from './line-check';\n"],
  ],
};

describe('the registry of kinds', () => {
  it('is what the API, the bundle and the lists read', () => {
    expect(Object.keys(KINDS).sort()).toEqual([...ONBOARDING_KINDS].sort());
    for (const kind of ONBOARDING_KINDS) {
      const type = KIND_REGISTRY[kind].workflowType;
      expect(typeof (workflows as Record<string, unknown>)[type]).toBe('function');
      expect(KINDS[kind].workflow.name).toBe(type);
      expect(KINDS[kind].stages).toEqual(KIND_REGISTRY[kind].stages);
      expect(Object.keys(KINDS[kind].actions)).toEqual(Object.keys(KIND_REGISTRY[kind].actions));
    }
  });

  it('takes a new kind with its own files and one line per index, and the tree still compiles', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kinds-'));
    try {
      for (const folder of COPIED) fs.cpSync(path.join(ROOT, folder), path.join(dir, folder), { recursive: true });
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
      fs.writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({ extends: path.join(ROOT, 'tsconfig.json'), include: COPIED.map((f) => `${f}/**/*.ts`) }),
      );
      for (const [file, text] of Object.entries(ADDED)) fs.writeFileSync(path.join(dir, file), text);
      for (const [file, edits] of Object.entries(EDITED))
        for (const [after, line] of edits) {
          const full = path.join(dir, file);
          const text = fs.readFileSync(full, 'utf8');
          const at = text.indexOf(after);
          expect(at, `${file} has ${after}`).toBeGreaterThanOrEqual(0);
          const end = text.indexOf('\n', at) + 1;
          fs.writeFileSync(full, text.slice(0, end) + line + text.slice(end));
        }
      const tsc = path.join(ROOT, 'node_modules', '.bin', 'tsc');
      let output = '';
      try {
        execFileSync(tsc, ['--noEmit', '-p', dir], { encoding: 'utf8' });
      } catch (err) {
        output = String((err as { stdout?: string }).stdout ?? err);
      }
      expect(output).toBe('');
      // What had to change: the kind's three files, and one line (plus its import) in three indexes.
      expect(Object.keys(ADDED)).toEqual([
        'contract/kinds/line-check.ts',
        'workflows/line-check.ts',
        'api/kinds/line-check.ts',
      ]);
      expect(Object.keys(EDITED)).toEqual(['contract/kinds/index.ts', 'workflows/index.ts', 'api/kinds/index.ts']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
