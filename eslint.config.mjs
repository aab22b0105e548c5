// Lean lint: promises must be handled everywhere (type-aware), and code imported by Temporal
// workflows (workflows/, core/, test workflow fixtures) stays deterministic and free of Node and
// activity code. tsc does the rest of the checking.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

// Both `fs` and `node:fs` forms, plus modules that exist only with the `node:` prefix.
const prefixOnly = ['node:sea', 'node:sqlite', 'node:test', 'node:test/reporters'];
const nodeBuiltins = [
  ...new Set([...builtinModules.flatMap((m) => (m.startsWith('node:') ? [m] : [m, `node:${m}`])), ...prefixOnly]),
];
const noNode = 'Workflow code runs in the Temporal sandbox: no Node built-ins (do I/O in an activity).';

// Files that end up in the workflow bundle (or are imported by it).
const workflowCode = ['workflows/**/*.ts', 'core/**/*.ts', 'test/fixtures/workflows/**/*.ts'];

/** @type {import('eslint').Linter.Config[]} */
export default [
  {
    ignores: ['node_modules/', '.venv/', 'runs/', 'dist/', 'test/corpus/', 'test/fixtures/bundles/', 'workers/legacy/', 'test-results/', 'coverage/', '**/*.d.ts'],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    files: workflowCode,
    ignores: ['**/activities.ts', '**/activities/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: noNode })),
          patterns: [
            {
              regex: '(^|/)activities($|/|\\.)',
              allowTypeImports: true,
              message:
                "Import activities as types only (`import type * as activities from '...'`) and call them via proxyActivities.",
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Nondeterministic: take time from workflow state or pass it in.' },
        { object: 'Math', property: 'random', message: 'Nondeterministic: derive values from inputs (or use workflow uuid4 in workflows/).' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use workflow sleep()/condition() timers, never raw setTimeout, in workflow code.' },
        { name: 'setInterval', message: 'Use workflow sleep() loops, never setInterval, in workflow code.' },
      ],
    },
  },
  {
    // the product's workflows and core take the activity contracts from core/contracts, never from activities/
    files: ['workflows/**/*.ts', 'core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: noNode })),
          patterns: [
            {
              regex: '(^|/)activities($|/)',
              message: 'Workflows and core import activity types from core/contracts (PipelineActivityContract, StageInput, ...), not from activities/.',
            },
          ],
        },
      ],
    },
  },
];
