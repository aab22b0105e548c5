// Candidate code in a command scenario is the agent's code (issue 20 item 2, docs/security.md): it runs
// in a bubblewrap sandbox on the scenario worker. Each scenario below PASSES only if the candidate could
// see what it must not — the suite, the worker's environment or arguments, the worker's log — so every
// one must fail; a candidate that copies the suite out for the next run leaves nothing behind.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createScenarioActivities } from '../../activities/scenarios';
import type { ProviderConfig } from '../../definitions/schemas/profile';
import { candidateDir, ScenarioRoot, type ScenarioDoc } from './helpers';

const twin: ProviderConfig = { kind: 'twin' };
const SUITE_CANARY = 'SUITE-canary-e4d1';
const ENV_CANARY = 'WORKER-ENV-canary-90af';
const LOG_CANARY = 'WORKER-LOG-canary-3c77';

const root = new ScenarioRoot();
const logDir = join(root.dir, '.factory');
mkdirSync(logDir, { recursive: true });
const logFile = join(logDir, 'scenario-worker.log');
writeFileSync(logFile, `scenario s1 failed: stdout lacks "${LOG_CANARY}"\n`);
// the worker's own environment: a provider key and the run key among it
const acts = createScenarioActivities({ scenariosRoot: root.dir, env: { ...process.env, JUDGE_API_KEY: ENV_CANARY, FACTORY_RUN_KEY: ENV_CANARY } });
const { candidate, dir: candidatePath } = candidateDir({ 'README.md': 'the candidate\n', 'app.sh': 'echo candidate-ran\n' });

/** Runs one scenario of a suite that also holds the canary, against the candidate. */
async function run(scenario: ScenarioDoc) {
  const { file, digest } = root.write('attack', [{ id: 's1', ...scenario }, { id: 'secret', kind: 'command', run: `echo ${SUITE_CANARY}`, expect: { stdout_contains: [SUITE_CANARY] } }]);
  return { status: (await acts.runScenario({ suite: { file }, expectedDigest: digest, index: 0, candidate, provider: twin })).status, file };
}

describe('a candidate in a command scenario (the agent\'s code on the scenario worker)', () => {
  it('runs in its directory, reads its own files and has a private /tmp (control)', async () => {
    const { status } = await run({ kind: 'command', run: 'sh app.sh && cat README.md && echo t > /tmp/own && cat /tmp/own', expect: { stdout_contains: ['candidate-ran', 'the candidate', 't'] } });
    expect(status).toBe('pass');
  });

  it('cannot read the suite file, even by its absolute path', async () => {
    const { file } = root.write('probe', []);
    const suiteDir = join(file, '..');
    const { status } = await run({ kind: 'command', run: `cat ${suiteDir}/*.yaml`, expect: { stdout_contains: [SUITE_CANARY] } });
    expect(status).toBe('fail');
  });

  it('cannot read the scenario worker\'s environment, directly or through /proc/$PPID/environ', async () => {
    const { status } = await run({ kind: 'command', run: `env; tr '\\0' '\\n' < /proc/$PPID/environ`, expect: { stdout_contains: [ENV_CANARY] } });
    expect(status).toBe('fail');
    const { status: key } = await run({ kind: 'command', run: 'echo "[$FACTORY_RUN_KEY][$JUDGE_API_KEY]"', expect: { stdout_contains: [ENV_CANARY] } });
    expect(key).toBe('fail');
  });

  it('cannot see the scenario worker\'s arguments or any process outside its sandbox', async () => {
    // outside the sandbox the parent is this jest worker (a node process); inside it is the sandbox's own init
    const { status } = await run({ kind: 'command', run: `tr '\\0' ' ' < /proc/$PPID/cmdline; for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done`, expect: { stdout_contains: ['jest'] } });
    expect(status).toBe('fail');
  });

  it('cannot read the scenario worker\'s log', async () => {
    const { status } = await run({ kind: 'command', run: `cat ${logFile}`, expect: { stdout_contains: [LOG_CANARY] } });
    expect(status).toBe('fail');
  });

  it('cannot copy the suite out for the next run, nor write into the candidate', async () => {
    const stash = `/tmp/factory-stolen-suite-${process.pid}-${Date.now()}`;
    await run({ kind: 'command', run: `cp ${root.dir}/*.yaml ${stash} ; mkdir -p ${stash}.d && cp ${root.dir}/*.yaml ${stash}.d/; echo x > planted.txt; true` });
    expect(existsSync(stash)).toBe(false);
    expect(existsSync(`${stash}.d`)).toBe(false);
    expect(existsSync(join(candidatePath, 'planted.txt'))).toBe(false);
  });
});

describe('an agent judge (an external CLI the candidate text may steer) on the scenario worker', () => {
  it('judges inside the sandbox: the suite, the worker log and its environment are out of its reach, the candidate is in', async () => {
    // the judge passes only if it could read what it must not; a control judge passes by reading the candidate
    const judge = (script: string): ProviderConfig => ({ kind: 'agent', command: ['sh', '-c', script], timeout_ms: 10_000 });
    const { file, digest } = root.write('judge-attack', [
      { id: 'j', kind: 'judge', rubric: 'r' },
      { id: 'secret', kind: 'command', run: `echo ${SUITE_CANARY}`, expect: { stdout_contains: [SUITE_CANARY] } },
    ]);
    const judgeWith = async (script: string) => (await acts.runScenario({ suite: { file }, expectedDigest: digest, index: 0, candidate, provider: judge(script) })).status;
    expect(await judgeWith(`cat ${candidatePath}/README.md | grep -q 'the candidate'`)).toBe('pass');
    expect(await judgeWith(`cat ${root.dir}/*.yaml | grep -q ${SUITE_CANARY}`)).toBe('fail');
    expect(await judgeWith(`cat ${logFile} | grep -q ${LOG_CANARY}`)).toBe('fail');
    expect(await judgeWith(`(env; tr '\\0' '\\n' < /proc/$PPID/environ) | grep -q ${ENV_CANARY}`)).toBe('fail');
  });
});
