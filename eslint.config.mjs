import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/generated/**', '.tools/**', '.data/**', 'scripts/**', '*.js', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Layers without cycles: only the HTTP layer and the start-up wiring that builds it may import src/api.
    files: ['src/**/*.ts'],
    ignores: ['src/api/**', 'src/system.ts', 'src/system/**', 'src/main.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/api', '**/api/*', '**/api/**'], message: 'Only the HTTP layer imports src/api: call the application services in src/services instead.' }] }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: only the workflow SDK, the pure domain and
    // type-only imports of activities are allowed. A stray Node import would crash-loop a worker.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@temporalio/*', '!@temporalio/workflow', '!@temporalio/common'], message: 'Workflows may import only @temporalio/workflow.' },
          { group: ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'net', 'os', 'child_process'], message: 'No Node APIs in workflow code.' },
          { group: ['**/activities/*', '**/infra/*', '**/paper/*', '**/store/*', '**/broker/*', '@prisma/*', 'pg', 'express', 'kiteconnect'], message: 'Workflows import only the domain, their messages and `import type` of activities.', allowTypeImports: true },
          { group: ['**/api', '**/api/*', '**/api/**', '**/services', '**/services/*', '**/services/**'], message: 'Workflows never import the API or the application services, not even types: shared types live in src/domain or the messages files.' },
        ],
      }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@temporalio/*', 'node:*', 'fs', 'pg', '@prisma/*', 'express', 'kiteconnect', '**/activities/*', '**/workflows/*', '**/api/*', '**/services/*', '**/store/*', '**/infra/*'], message: 'The domain core is pure: no I/O, no Temporal, no outer layer.' }] }],
      'no-restricted-globals': ['error', { name: 'Date', message: 'Time is an argument in the domain.' }],
    },
  },
);
