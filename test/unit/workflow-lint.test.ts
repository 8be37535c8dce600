import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The lint rules are what keeps workflow code deterministic; prove they fire.
const eslint = new ESLint({ cwd: `${__dirname}/../..` });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => `${m.ruleId}`);
}

// The first lint builds the TypeScript program for the typed rules: seconds on a loaded machine.
describe('workflow determinism lint', { timeout: 30_000 }, () => {
  it.each([
    ["import fs from 'node:fs';", 'no-restricted-imports'],
    ["import { randomUUID } from 'crypto';", 'no-restricted-imports'],
    ["import { createEmailActivities } from '../activities/email';", 'no-restricted-imports'],
    ["import { loadConfig } from '../config';", 'no-restricted-imports'],
    ['export const x = Math.random();', 'no-restricted-properties'],
    ['export const x = Date.now();', 'no-restricted-syntax'],
    ['export const x = new Date();', 'no-restricted-syntax'],
    ["export function f() { throw new Error('no'); }", 'no-restricted-syntax'],
  ])('refuses `%s` in workflows/', async (code, rule) => {
    expect(await ruleIds(code, 'workflows/example.ts')).toContain(rule);
  });

  it('allows type-only activity imports and the SDK in workflows/, and Node built-ins elsewhere', async () => {
    const ok =
      "import type { EmailActivities } from '../activities/email';\nimport { proxyActivities } from '@temporalio/workflow';\nexport const a = proxyActivities<EmailActivities>({ startToCloseTimeout: '1 minute' });\n";
    expect(await ruleIds(ok, 'workflows/example.ts')).toEqual([]);
    expect(
      await ruleIds("import fs from 'node:fs';\nexport const r = fs.readFileSync;\n", 'activities/example.ts'),
    ).toEqual([]);
  });
});
