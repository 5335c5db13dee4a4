/**
 * Three projects: fast unit specs beside the code, e2e specs that drive real processes, and the
 * deployment specs (Helm chart and kustomize overlays rendered with the real helm and kustomize).
 *
 * Every child process a test starts is registered (apps/gateway/test/support/children.ts) and
 * killed after its test file by the test environment, and after the run by the global teardown:
 * see docs/testing.md.
 */
const SUPPORT = '<rootDir>/apps/gateway/test/support';
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const moduleNameMapper = {
  '^@llm-connector-hub/(core|hub|providers|config|resilience|cache|observability|assembly)$': '<rootDir>/libs/$1/src',
  // loadtest/scenarios/ imports name the .ts file (k6 reads them as written); ts-jest rewrites them
  // to .js as tsc does (rewriteRelativeImportExtensions), and jest finds the .ts source.
  '^(\\.{1,2}/.*)\\.js$': '$1',
};
// .tools/ holds installed tools and build outputs (the images' staged /app trees with their package.json): not modules of ours.
const common = { testEnvironment: `${SUPPORT}/jest-environment.ts`, transform, moduleNameMapper, modulePathIgnorePatterns: ['<rootDir>/.tools/'] };
/** Projects whose tests run processes: a longer default timeout for tests and hooks. */
const processes = { ...common, setupFilesAfterEnv: [`${SUPPORT}/jest-setup.ts`] };

module.exports = {
  globalSetup: `${SUPPORT}/jest-global-setup.ts`,
  globalTeardown: `${SUPPORT}/jest-global-teardown.ts`,
  testSequencer: `${SUPPORT}/jest-sequencer.js`,
  projects: [
    {
      displayName: 'unit',
      ...common,
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/*/src/**/*.spec.ts', '<rootDir>/bench/**/*.spec.ts', '<rootDir>/loadtest/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      ...processes,
      testMatch: ['<rootDir>/apps/*/test/**/*.e2e-spec.ts'],
    },
    {
      displayName: 'deploy',
      ...processes,
      testMatch: ['<rootDir>/deploy/test/**/*.spec.ts'],
    },
  ],
};
