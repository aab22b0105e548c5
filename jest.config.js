// One Temporal dev server per test run (globalSetup), TypeScript compiled by swc (already a Temporal dependency).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // ts-graphviz ships ESM only; let swc compile it to CommonJS like our own code.
  transformIgnorePatterns: ['/node_modules/(?!(ts-graphviz|@ts-graphviz)/)'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
