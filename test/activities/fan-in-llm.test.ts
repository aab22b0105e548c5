// Attractor §4.9 llm_evaluate: a fan-in node with a prompt asks the profile's provider (the codergen
// backend entry point) to rank the parallel candidates; the heuristic decides otherwise.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CodergenBackends } from '../../activities/handlers/codergen';
import { createFanInHandler, rankedChoice, type BranchResult } from '../../activities/handlers/fan-in';
import { node, stageContext, tempDir } from './helpers';

const RESULTS = [
  { id: 'b1', status: 'success', outcome: 'success' },
  { id: 'b2', status: 'success', outcome: 'success' },
  { id: 'b3', status: 'fail', outcome: 'fail' },
];

function backendsAnswering(response: string, seen: string[] = []): CodergenBackends {
  const run = async (_stage: unknown, prompt: string) => {
    seen.push(prompt);
    return { response };
  };
  return { twin: { run }, openai: { run }, agent: { run } } as unknown as CodergenBackends;
}

describe('fan-in LLM ranking', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir('factory-fanin-')));
  afterEach(() => cleanup());

  const run = async (prompt: string, response: string, seen: string[] = []) => {
    const n = node('join', { type: 'parallel.fan_in', prompt });
    await mkdir(join(dir, 'join'), { recursive: true });
    return createFanInHandler(backendsAnswering(response, seen)).execute(stageContext(dir, n, { context: { 'parallel.results': RESULTS } }));
  };

  it('takes the candidate the provider names when the node has a prompt, writing prompt.md and response.md', async () => {
    const seen: string[] = [];
    const out = await run('Pick the cleanest implementation', 'After review: {"best_id": "b2"}', seen);
    expect(out).toMatchObject({ status: 'success', context_updates: { 'parallel.fan_in.best_id': 'b2', 'parallel.fan_in.selected_by': 'llm' } });
    expect(seen[0]).toContain('Pick the cleanest implementation');
    expect(seen[0]).toContain('"id": "b3"');
    expect(await readFile(join(dir, 'join', 'response.md'), 'utf8')).toContain('b2');
  });

  it('falls back to the heuristic, saying so, when the ranking names no candidate', async () => {
    const out = await run('Pick one', 'they are all fine');
    expect(out).toMatchObject({ status: 'success', context_updates: { 'parallel.fan_in.best_id': 'b1', 'parallel.fan_in.selected_by': 'heuristic (the ranking named no candidate)' } });
  });

  it('never calls the provider when the node has no prompt', async () => {
    const seen: string[] = [];
    const out = await run('', '{"best_id": "b2"}', seen);
    expect(seen).toEqual([]);
    expect(out.context_updates).toMatchObject({ 'parallel.fan_in.best_id': 'b1', 'parallel.fan_in.selected_by': 'heuristic' });
  });

  it.each<[string, string | undefined]>([
    ['{"best_id":"b3"}', 'b3'],
    ['I prefer b2 over b1', 'b2'],
    ['{"best_id":"zz"} but b1 is fine', 'b1'],
    ['none of them', undefined],
  ])('reads %j as %s', (response, id) => {
    expect(rankedChoice(response, RESULTS as BranchResult[])?.id).toBe(id);
  });
});
