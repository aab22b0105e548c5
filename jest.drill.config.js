// `npm run drill`: the fault drills (issue 10), one command, against real dev servers. Kept out of
// `npm test` (see docs/operators.md "Fault drills" for timings): worker SIGKILL mid-stage, server
// SIGKILL + restart on a persistent DB mid-gate, run directory removed, disk full, 200 gated runs, a run
// id reused, two branches at one node, an answer sent after the deadline while no worker was up.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/test/drills/**/*.drill.ts',
    '<rootDir>/test/workflows/worker-kill.test.ts',
    '<rootDir>/test/workflows/faults.test.ts',
    // issue 24: a finished or open run's id reused, two branches at one node (activity side and a real
    // run), and a gate answered after its deadline while no worker was up
    '<rootDir>/test/client/run-id-reuse.test.ts',
    '<rootDir>/test/activities/stage-branches.test.ts',
    '<rootDir>/test/workflows/stage-inputs.test.ts',
    // branches meeting at a plain node: stopped there, it runs once; context merged; visits per branch
    '<rootDir>/test/workflows/parallel-join.test.ts',
    '<rootDir>/test/workflows/gate-late-answer.test.ts',
  ],
  testTimeout: 900_000,
  maxWorkers: 1,
};
