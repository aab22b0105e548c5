// ScenarioSuite: scenario kinds, defaults, pass bar, unique ids and must_pass cross-checks.
import { loadSuiteYaml } from '../../definitions/yaml';
import { FULL_SUITE } from './examples';

const HEAD = 'kind: ScenarioSuite\nid: s\npipeline_id: p\npipeline_major: 1\n';

describe('ScenarioSuite schema', () => {
  it('fills scenario defaults and turns timeouts into ms when the full suite loads', () => {
    const { suite, diagnostics } = loadSuiteYaml(FULL_SUITE, 's.yaml');
    expect(diagnostics).toEqual([]);
    expect(suite?.pass_bar).toEqual({ satisfaction: 0.5, must_pass: ['builds'] });
    expect(suite?.scenarios).toEqual([
      { id: 'builds', kind: 'command', title: 'It builds', run: "node -e 'console.log(1)'", timeout_ms: 30_000, expect: { exit_code: 0, stdout_contains: ['1'], stdout_matches: '^1$' } },
      {
        id: 'health',
        kind: 'http',
        request: { method: 'GET', path: '/health', headers: { accept: 'application/json' }, body: '' },
        timeout_ms: 30_000,
        expect: { status: 200, body_contains: ['ok'], json: { '$.status': 'ok' } },
      },
      { id: 'quality', kind: 'judge', rubric: 'Readable code', timeout_ms: 120_000 },
    ]);
  });

  it('defaults the pass bar to every scenario when none is given', () => {
    const { suite } = loadSuiteYaml(`${HEAD}scenarios:\n  - { id: a, kind: command, run: "true" }\n`, 's.yaml');
    expect(suite).toMatchObject({ version: '0.0.0', capabilities: [], pass_bar: { satisfaction: 1, must_pass: [] } });
    expect(suite?.scenarios[0]).toEqual({ id: 'a', kind: 'command', run: 'true', timeout_ms: 60_000, expect: { exit_code: 0, stdout_contains: [] } });
  });

  it('accepts an empty scenario list (it can never approve; the decision gate says so)', () => {
    expect(loadSuiteYaml(`${HEAD}scenarios: []\n`, 's.yaml').suite?.scenarios).toEqual([]);
  });

  test.each([
    ['satisfaction above 1', `${HEAD}pass_bar: { satisfaction: 2 }\nscenarios: []\n`, 'invalid_value', 'pass_bar.satisfaction', 5, 27],
    ['a duplicate scenario id', `${HEAD}scenarios:\n  - { id: a, kind: judge, rubric: r }\n  - { id: a, kind: judge, rubric: q }\n`, 'duplicate_id', 'scenarios[a].id', 7, 11],
    ['must_pass naming no scenario', `${HEAD}pass_bar: { must_pass: [b] }\nscenarios:\n  - { id: a, kind: judge, rubric: r }\n`, 'invalid_value', 'pass_bar.must_pass[0]', 5, 25],
    ['unknown scenario kind', `${HEAD}scenarios:\n  - { id: a, kind: shell, run: x }\n`, 'invalid_value', 'scenarios[a].kind', 6, 20],
    ['scenario without kind', `${HEAD}scenarios:\n  - { id: a, run: x }\n`, 'missing_key', 'scenarios[a].kind', 6, 5],
    ['command without run', `${HEAD}scenarios:\n  - { id: a, kind: command }\n`, 'missing_key', 'scenarios[a].run', 6, 5],
    ['http path without slash', `${HEAD}scenarios:\n  - { id: h, kind: http, request: { path: health } }\n`, 'invalid_value', 'scenarios[h].request.path', 6, 43],
    ['http status out of range', `${HEAD}scenarios:\n  - { id: h, kind: http, request: { path: /h }, expect: { status: 99 } }\n`, 'invalid_value', 'scenarios[h].expect.status', 6, 67],
    ['bad regex', `${HEAD}scenarios:\n  - { id: c, kind: command, run: x, expect: { stdout_matches: "(" } }\n`, 'invalid_value', 'scenarios[c].expect.stdout_matches', 6, 64],
    ['timeout typo', `${HEAD}scenarios:\n  - { id: c, kind: command, run: x, timeout: 5 secs }\n`, 'invalid_duration', 'scenarios[c].timeout', 6, 46],
    ['unknown key in judge', `${HEAD}scenarios:\n  - { id: j, kind: judge, rubric: r, rubirc: q }\n`, 'unknown_key', 'scenarios[j].rubirc', 6, 38],
    ['pipeline_major as string', 'kind: ScenarioSuite\nid: s\npipeline_id: p\npipeline_major: "1"\nscenarios: []\n', 'invalid_type', 'pipeline_major', 4, 18],
  ])('reports %s', (_name, text, rule, path, line, column) => {
    const { suite, diagnostics } = loadSuiteYaml(text, 's.yaml');
    expect(suite).toBeUndefined();
    expect(diagnostics).toEqual([expect.objectContaining({ rule, path, line, column, file: 's.yaml' })]);
  });

  it('checks ids and must_pass even when another field is wrong', () => {
    const text = `${HEAD}pass_bar: { satisfaction: 7, must_pass: [zz] }\nscenarios:\n  - { id: a, kind: judge, rubric: r }\n  - { id: a, kind: judge, rubric: "" }\n`;
    const rules = loadSuiteYaml(text, 's.yaml').diagnostics.map((d) => `${d.rule} ${d.path ?? ''}`);
    expect(rules.sort()).toEqual(['duplicate_id scenarios[a].id', 'invalid_value pass_bar.must_pass[0]', 'invalid_value pass_bar.satisfaction', 'invalid_value scenarios[a].rubric']);
  });
});
