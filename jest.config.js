// One Temporal dev server per test run (globalSetup), TypeScript compiled by swc (already a Temporal dependency).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // the cluster drill builds and starts a real cluster: `npm run test:cluster` (jest.cluster.config.js)
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // ts-graphviz and @hpcc-js/wasm-graphviz ship ESM only; let swc compile them to CommonJS like our own code.
  transformIgnorePatterns: ['/node_modules/(?!(ts-graphviz|@ts-graphviz|@hpcc-js)/)'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
