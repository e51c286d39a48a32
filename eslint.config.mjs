// ESLint with type-checked rules for the whole project (src, dev tooling, tests).
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What neither the domain nor the services may import. */
const coreLayerPatterns = [
  { group: ['@azure/*'], message: 'The domain and the services know no Azure SDK; use a port.' },
  {
    group: ['**/adapters', '**/adapters/*'],
    message: 'The domain and the services import no adapter; the composition root wires them.',
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.local/', 'coverage/', 'eslint.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    // The layers: the domain and the services know no SDK and no adapter; adapters translate for them.
    files: ['src/domain/**/*.ts', 'src/services/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: coreLayerPatterns,
        },
      ],
    },
  },
  {
    // The domain also knows no file format library nor the file system: the format writers live in
    // src/formats, behind the FormatWriter port (src/domain/format.ts). The core patterns again, since a
    // later block replaces a rule's options rather than adding to them.
    files: ['src/domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...coreLayerPatterns,
            {
              group: ['**/formats', '**/formats/*'],
              message:
                'The domain knows format writers only through the FormatWriter port (src/domain/format.ts).',
            },
            {
              group: [
                'csv-stringify',
                'csv-stringify/*',
                'exceljs',
                'pdfkit',
                'pdfkit/*',
                'fontkit',
                'node:fs',
                'node:fs/*',
                'fs',
              ],
              message:
                'The domain uses no file format library and no file system; format writers live in src/formats.',
            },
          ],
        },
      ],
    },
  },
  {
    // The function adapters are handed their services by the composition root (types only from it), and
    // the HTTP helpers know neither it nor an adapter.
    files: ['src/functions/**/*.ts', 'src/http/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/composition'],
              allowTypeImports: true,
              message:
                'Functions get their services from their factory; only types come from the composition root.',
            },
            {
              group: ['**/adapters', '**/adapters/*', '**/config', '**/config/*'],
              message: 'Functions and HTTP helpers use services, not adapters or the raw settings.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
);
