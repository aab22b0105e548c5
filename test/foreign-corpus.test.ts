// Public Attractor pipelines by other authors (test/fixtures/foreign/, sources in SOURCES.md there): each
// one's expected lint outcome. Warnings name what factory would ignore or read differently; every error
// is the graph's own against the pinned spec (the reason is in the table), never a rule of ours.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { lintSpecFile } from '../definitions/load';

const FOREIGN = join(__dirname, 'fixtures', 'foreign');

/** file, error rules, warning rules (both sorted, distinct), and for errors why the graph is at fault. */
const EXPECTED: [string, string[], string[], string?][] = [
  ['DrPep__hello.dot', [], []],
  ['allouis__checks.dot', [], ['type_known', 'unknown_attr']],
  ['allouis__review-core.dot', [], ['unknown_attr']],
  ['bromanko__human-gate.dot', [], []],
  ['brynary__implement.dot', [], ['goal_gate_has_retry']],
  ['campallison__smoke-test.dot', [], ['goal_gate_has_retry', 'unknown_attr']],
  ['coreydaley__human-review.dot', [], []],
  ['eykd__sp-workflow.dot', [], ['attr_comma', 'tool_command_missing', 'unknown_attr']],
  ['jaytaylor__basic.dot', [], ['unknown_attr']],
  ['jessholbrook__branching-fixture.dot', ['invalid_duration'], [], 'timeout="900" has no unit: §2.4 durations are an integer plus ms|s|m|h|d'],
  ['jessholbrook__code_review.dot', [], ['gate_condition']],
  ['jhugman__ralph-wiggum.dot', ['condition_syntax'], ['unknown_attr'], '`contains` and `!` are not in the §10 condition grammar (= != &&)'],
  ['jwest591__feature-pipeline.dot', [], []],
  ['kevspahn__simple-pipeline.dot', [], []],
  ['martinemde__develop.dot', [], []],
  ['mnesler__exercise_all_nodes.dot', [], ['attr_comma']],
  ['otimme__master.dot', [], ['type_known']],
  ['rkinder__parallel-workflow.dot', [], []],
  ['rkinder__project-framework/workflow.dot', [], ['unknown_attr', 'unknown_shape']],
  ['robotdad__06-model-stylesheet.dot', [], ['unknown_attr']],
  // its `escalated` is a dead end on purpose (§3.2: the run ends there; the node exits 1 so the run fails): a warning
  ['robotdad__bug-fix.dot', [], ['exit_reachable', 'unknown_attr']],
  ['roybotgg__issue.dot', ['prompt_file'], [], 'its prompt_file names prompts/setup.md, which its repository does not hold'],
  ['samueljklee__code_review.dot', ['invalid_type'], [], 'goal_gate="outcome = success": §2.6 goal_gate is a Boolean'],
  ['samueljklee__parallel_approaches.dot', [], []],
  ['siarhei-belavus__contains-routing.dot', ['condition_syntax'], [], '`contains` is not in the §10 condition grammar'],
  ['wcraigjones__max-visits.dot', [], []],
];

function dotFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((f) => {
    const abs = join(dir, f);
    if (statSync(abs).isDirectory()) return dotFiles(abs, `${prefix}${f}/`);
    return f.endsWith('.dot') ? [`${prefix}${f}`] : [];
  });
}

describe('foreign Attractor pipelines (issue 22)', () => {
  it('holds at least 20 graphs by at least 20 authors, each listed in SOURCES.md with a commit', () => {
    const files = dotFiles(FOREIGN).sort();
    expect(files).toEqual(EXPECTED.map(([f]) => f).sort());
    const authors = new Set(files.map((f) => f.split('__')[0]));
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(authors.size).toBeGreaterThanOrEqual(20);
    const sources = readFileSync(join(FOREIGN, 'SOURCES.md'), 'utf8');
    for (const f of files) expect(sources).toMatch(new RegExp(`\\| \`${f.split('/')[0]}/?\` \\| .* \\| \`[0-9a-f]{40}\` \\|`));
  });

  // every row gets its 4th value: with fewer, jest would pass `done` as `why` and wait for it
  const rows = EXPECTED.map(([file, errors, warnings, why]) => [file, errors, warnings, why ?? ''] as const);
  it.each(rows)('%s: errors %j, warnings %j', async (file, errors, warnings, why) => {
    const loaded = await lintSpecFile(join(FOREIGN, file));
    const rules = (severity: string) => [...new Set(loaded.diagnostics.filter((d) => d.severity === severity).map((d) => d.rule))].sort();
    expect({ errors: rules('error'), warnings: rules('warning') }).toEqual({ errors, warnings });
    if (errors.length > 0) expect(why).not.toBe('');
    // every finding names the file and a position in it
    for (const d of loaded.diagnostics) expect([d.file, (d.line ?? 0) >= 1]).toEqual([join(FOREIGN, file), true]);
  });

  it('reads prompt_file prompts from next to the graph as the node prompt', async () => {
    const file = join(FOREIGN, 'rkinder__project-framework', 'workflow.dot');
    const loaded = await lintSpecFile(file);
    const node = loaded.kind === 'PipelineSpec' ? loaded.graph?.nodes.find((n) => n.id === 'initial_intake') : undefined;
    const text = readFileSync(join(FOREIGN, 'rkinder__project-framework', 'prompts', 'initial_requirement_intake.txt'), 'utf8');
    expect(node?.prompt).toBe(text.replace(/^\uFEFF/, ''));
  });

  it('names the missing prompt file and where it is asked for', async () => {
    const loaded = await lintSpecFile(join(FOREIGN, 'roybotgg__issue.dot'));
    expect(loaded.diagnostics).toContainEqual(expect.objectContaining({ rule: 'prompt_file', node: 'setup', line: 18, message: expect.stringContaining('"prompts/setup.md" does not exist') }));
  });
});
