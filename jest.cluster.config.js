// The cluster drill (`npm run test:cluster`): its own cluster (scripts/cluster.sh), so no dev server
// global setup; one file, run alone. Not part of `npm test` (see docs/deployment.md §4 for why).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(ts-graphviz|@ts-graphviz|@hpcc-js)/)'],
  testTimeout: 900_000,
  maxWorkers: 1,
};
