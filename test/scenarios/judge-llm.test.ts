// Judge scenarios on LLM providers other than `openai` (anthropic here) go through the AI SDK
// (askProvider), against the local mock server speaking the Anthropic Messages API.
import { createScenarioActivities } from '../../activities/scenarios';
import { ScenarioConfigError, ScenarioInfraError } from '../../activities/errors';
import type { Candidate } from '../../core/evaluation';
import type { ProviderConfig } from '../../definitions/schemas/profile';
import { LlmMock } from '../helpers/llm-mock';
import { candidateDir, ScenarioRoot } from './helpers';

const root = new ScenarioRoot();
let mock: LlmMock;
let base: string;
let candidate: Candidate;
beforeAll(async () => {
  mock = new LlmMock('sk-judge');
  base = await mock.start();
  candidate = candidateDir({ 'README.md': 'A Greeter.\n' }, {}).candidate;
});
afterAll(() => mock.stop());

async function judge(marker: string, key = 'sk-judge') {
  const acts = createScenarioActivities({ scenariosRoot: root.dir, env: { JUDGE_KEY: key } });
  const { file, digest } = root.write(marker.toLowerCase(), [{ id: 'j', kind: 'judge', rubric: `${marker} rubric` }]);
  const provider = { kind: 'anthropic', model: 'claude-judge', base_url: base, api_key_env: 'JUDGE_KEY', timeout_ms: 10_000 } as ProviderConfig;
  return acts.runScenario({ suite: { file }, expectedDigest: digest, index: 0, candidate, provider });
}

describe('judge on an anthropic provider', () => {
  it.each<[string, Parameters<LlmMock['script']>[1], string | (new (...a: never[]) => Error)]>([
    ['passes when the model answers pass', [{ text: '{"pass": true, "reason": "fine"}' }], 'pass'],
    ['fails when the model answers fail', [{ text: '{"pass": false, "reason": "no tests"}' }], 'fail'],
    ['is an infrastructure error when the server is overloaded (529)', [{ status: 529, error: 'Overloaded' }], ScenarioInfraError],
    ['is an infrastructure error when the answer is not the verdict JSON', [{ text: 'looks fine to me' }], ScenarioInfraError],
  ])('%s', async (name, turns, expected) => {
    const marker = `JUDGE-${name.length}-${turns.length}-${String(turns[0]?.status ?? turns[0]?.text?.length)}`;
    mock.script(marker, turns);
    if (typeof expected === 'string') expect((await judge(marker)).status).toBe(expected);
    else await expect(judge(marker)).rejects.toBeInstanceOf(expected);
    expect(mock.of(marker)[0]?.api).toBe('anthropic');
  });

  it('is a configuration error that never shows the key when the key is refused', async () => {
    mock.script('JUDGE-401', [{ text: 'unused' }]);
    const err = await judge('JUDGE-401', 'sk-CANARY-judge-999').catch((e: Error) => e);
    expect(err).toBeInstanceOf(ScenarioConfigError);
    expect((err as Error).message).toMatch(/HTTP 401/);
    expect((err as Error).message).not.toContain('sk-CANARY');
  });
});
