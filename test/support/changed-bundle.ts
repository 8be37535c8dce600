/**
 * A changed enterprise-verification workflow, bundled with the rest of the current workflows:
 * what a deploy of a real change would run. Used by the deploy test (test/integration/
 * deploy-versioning.test.ts) to show how `patched` keeps open cases on their path.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { quietLogger } from './stack';

const ROOT = path.join(__dirname, '..', '..');
export const PATCH_ID = 'precheck-before-review';
export const NEW_STEP = 'pre-check before review';

/**
 * The versions of the change, in the order a team ships them: `unguarded` (the mistake), `patched`
 * (old cases keep the old path), `deprecated` (`deprecatePatch`, the old branch deleted, once no
 * case without the marker is open), `removed` (no patch call left, once no case from before the
 * deprecation is open).
 */
export type ChangeVersion = 'unguarded' | 'patched' | 'deprecated' | 'removed';

/**
 * The verification workflow as a real change would leave it: a pre-check activity as round 1
 * reaches review, in one of the versions above. Built from the current source, so the test
 * follows the workflow as it evolves; the rest of the bundle is the current code.
 */
export async function changedVerificationBundle(dir: string, version: ChangeVersion): Promise<string> {
  const source = await readFile(path.join(ROOT, 'workflows', 'enterprise-verification.ts'), 'utf8');
  const anchor = /^( *)const decision = await review\(/m;
  const match = anchor.exec(source);
  if (!match) throw new Error('enterprise-verification.ts no longer awaits the review as this test expects');
  const pad = match[1]!;
  const step = [
    `if (round === 1${version === 'patched' ? ` && patched('${PATCH_ID}')` : ''}) {`,
    ...(version === 'deprecated' ? [`  deprecatePatch('${PATCH_ID}');`] : []),
    `  c.enter('prechecking');`,
    `  const again = await checks.precheckApplication.executeWithOptions(`,
    `    { summary: '${NEW_STEP}' },`,
    `    [{ enterpriseId: input.enterpriseId, application }],`,
    `  );`,
    `  c.step('${NEW_STEP}', 'done', String(again.failures.length) + ' failure(s)');`,
    `}`,
  ]
    .map((line) => pad + line + '\n')
    .join('');
  const api = { patched: 'patched', deprecated: 'deprecatePatch' }[version as string];
  const changed =
    (api ? `import { ${api} } from '@temporalio/workflow';\n` : '') +
    (source.slice(0, match.index) + step + source.slice(match.index))
      // The copy lives outside the tree: its relative imports point back into it.
      .replace(/from '(\.{1,2}\/[^']+)'/g, (_, rel: string) => `from '${path.resolve(ROOT, 'workflows', rel)}'`);
  await writeFile(path.join(dir, `enterprise-verification-${version}.ts`), changed);
  const entry = path.join(dir, `index-${version}.ts`);
  // Every other kind as it is now; the local export wins over the star export.
  await writeFile(
    entry,
    `export * from '${path.join(ROOT, 'workflows', 'index')}';\n` +
      `export { enterpriseVerification } from './enterprise-verification-${version}';\n`,
  );
  const { code } = await bundleWorkflowCode({
    workflowsPath: entry,
    logger: quietLogger,
    // Packages resolve from the project, not from the temporary directory.
    webpackConfigHook: (config) => ({
      ...config,
      resolve: { ...config.resolve, modules: [...(config.resolve?.modules ?? []), path.join(ROOT, 'node_modules')] },
    }),
  });
  return code;
}
