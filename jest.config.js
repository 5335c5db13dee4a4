/**
 * Three projects: fast unit specs beside the code, e2e specs that drive real processes, and the
 * deployment specs (Helm chart and kustomize overlays rendered with the real helm and kustomize).
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const moduleNameMapper = {
  '^@llm-connector-hub/(core|hub|providers|config|resilience|cache|observability)$': '<rootDir>/libs/$1/src',
};
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/*/src/**/*.spec.ts', '<rootDir>/bench/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/apps/*/test/**/*.e2e-spec.ts'],
      testTimeout: 60000,
    },
    {
      displayName: 'deploy',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/deploy/test/**/*.spec.ts'],
      testTimeout: 60000,
    },
  ],
};
