// ESLint over every TypeScript file we own (apps, libs, bench, scripts, deploy, loadtest), with
// typescript-eslint's type-aware recommended rules: they catch real bugs (a promise nobody
// awaits or handles, a promise passed where a callback's result is ignored, `any` flowing
// into typed code, dead variables). Import boundaries between libs and apps are
// dependency-cruiser's job (.dependency-cruiser.cjs). `make lint` runs both; `make test` runs it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Specs, their helpers and fixtures, and the test support code of every project (libs/testing: the libs' specs'). */
const TESTS = ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.spec-helpers.ts', '**/test/**/*.ts', '**/fixtures/**/*.ts', 'libs/testing/**/*.ts'];

export default tseslint.config(
  {
    ignores: [
      // Build outputs: the app build's, and each lib package's (libs/<lib>/dist).
      '**/dist/**',
      'node_modules/**',
      '.tools/**',
      'coverage/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // One TypeScript program per tsconfig, found from each file (the k6 scripts have their own).
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_name` marks a binding kept on purpose: a rest sibling that drops a field from a copy, a
      // parameter an interface requires.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Off: an `async` function without `await` is how we implement a Promise-returning
      // interface, and it is the safe form (a throw in it becomes a rejection, never a synchronous
      // throw from something callers treat as a promise).
      '@typescript-eslint/require-await': 'off',
      // Forwarding a caught error or an AbortSignal's reason (both `unknown`) is fine; rejecting
      // or throwing a literal of another type is not.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // A `let` declared before the closures that read it and assigned once after them (so the
      // closures can be registered first) cannot be a const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: TESTS,
    rules: {
      // Tests read response bodies as `any` (fetch's json(), JSON.parse) and assert on them with
      // expect(), which is where a wrong shape fails; typing every body would only restate the
      // assertions. Production code keeps these rules.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Tests throw and reject with non-Error values on purpose, to check they are handled.
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      // expect(object.method).toHaveBeenCalled() passes methods unbound by design.
      '@typescript-eslint/unbound-method': 'off',
      // Test diagnostics print whatever was caught or received, objects included.
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
);
