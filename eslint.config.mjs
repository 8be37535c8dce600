// Lint: TypeScript rules everywhere, and in workflows/ the rules that keep workflow code
// deterministic (no Node built-ins, no I/O libraries, no Math.random, no bare Error throws,
// activities imported as types only).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

const noSandboxesOrTests = {
  group: ['**/sandboxes/*', '**/sandboxes/**', '**/test/*', '**/test/**'],
  message: 'Product code never imports sandboxes or tests.',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        require: 'readonly',
        __dirname: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Tests and the bench still read recorded JSON and test doubles loosely typed.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The console's modules run in the browser.
    files: ['console/**/*.js'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        Event: 'readonly',
        FormData: 'readonly',
        URLSearchParams: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
  },
  {
    // Product code talks to the real systems' contracts; sandboxes and test doubles plug in from outside.
    files: [
      'api/**/*.ts',
      'activities/**/*.ts',
      'contract/**/*.ts',
      'domain/**/*.ts',
      'worker/**/*.ts',
      'config/**/*.ts',
      'storage/**/*.ts',
      'emails/**/*.ts',
      'sbc/**/*.ts',
      'sip/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [noSandboxesOrTests],
        },
      ],
    },
  },
  {
    // domain/ is the ground floor: contract/ may import it, never the reverse. (This block replaces
    // the one above for domain/, so it repeats its rule.)
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noSandboxesOrTests,
            {
              group: ['**/contract', '**/contract/*', '**/contract/**'],
              message:
                'domain/ imports nothing from contract/: define the type in domain/ and let contract/ import it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'Workflow code is deterministic: no Node built-ins. Do I/O in an activity.',
            })),
            { name: '@temporalio/activity', message: 'Activities run in the worker, not in workflow code.' },
            { name: '@temporalio/client', message: 'Use child workflows or activities from workflow code.' },
            { name: '@temporalio/worker', message: 'Not available inside the workflow sandbox.' },
            { name: 'nodemailer', message: 'Email goes through the email activity.' },
            { name: 'express', message: 'No I/O in workflow code.' },
          ],
          patterns: [
            {
              group: ['../activities', '../activities/*', '../../activities', '../../activities/*'],
              allowTypeImports: true,
              message: 'Import activities with `import type` and call them through proxyActivities.',
            },
            {
              group: ['../storage/*', '../../storage/*', '../api/*', '../../api/*'],
              message: 'Workflow code does no I/O.',
            },
            {
              group: ['../config', '../../config'],
              allowTypeImports: true,
              message: 'Workflow code takes configuration as input (types only).',
            },
            {
              group: ['zod', 'zod/*', 'libphonenumber-js', 'libphonenumber-js/*', 'ipaddr.js'],
              allowTypeImports: true,
              message:
                'Every cached case evaluates what a workflow imports: validate, format and judge in the API or an activity, and pass the outcome in.',
            },
            {
              group: [
                '../domain/*',
                '../../domain/*',
                '!../domain/search-attributes',
                '!../../domain/search-attributes',
                '!../domain/resubmission',
                '!../domain/working-days',
                '!../domain/usage-periods',
                '!../domain/journey-summary',
              ],
              allowTypeImports: true,
              message:
                'Domain rules run in the API or in activities (they bring zod and libphonenumber-js); workflows import their types only.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use uuid4() or a value passed in; Math.random breaks replay.' },
        { object: 'process', property: 'env', message: 'Workflow code takes configuration as input.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "ThrowStatement > NewExpression[callee.name='Error']",
          message: 'Throw ApplicationFailure (nonRetryable where retrying is pointless), not a bare Error.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Use now() from workflows/lib/case, the workflow clock.',
        },
        {
          selector: "MemberExpression[object.name='Date'][property.name='now']",
          message: 'Use now() from workflows/lib/case, the workflow clock.',
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setInterval', message: 'Use sleep() or condition() from @temporalio/workflow.' },
      ],
    },
  },
);
