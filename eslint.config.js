/**
 * ESLint (flat config): typescript-eslint's recommended rules everywhere, type-aware checks for promises (a
 * forgotten await is a lost error or a race), and the React hooks rules for the web UI. `npm run lint` runs it.
 */
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', 'node_modules/**', 'apps/web/dist/**', 'libs/contract/schema.d.ts', 'samples/**', 'coverage/**', '.gongwen/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // test files and framework glue read untyped JSON (OpenAPI documents, problem bodies, fixtures) on purpose
      '@typescript-eslint/no-explicit-any': 'off',
      // `!` after a check the compiler cannot follow (Map.get after has, a regex group) is the codebase's style
      '@typescript-eslint/no-non-null-assertion': 'off',
      // the ideographic space (U+3000) is part of Chinese typesetting: allowed in strings, templates, JSX text,
      // regular expressions and comments, still refused in code
      'no-irregular-whitespace': [
        'error',
        { skipStrings: true, skipTemplates: true, skipJSXText: true, skipRegExps: true, skipComments: true },
      ],
    },
  },
  {
    files: ['**/*.cjs', 'scripts/**/*.mjs', '*.js', 'test/faults/jest.config.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        URL: 'readonly',
      },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['apps/web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
);
