// test/corpus/yaml: every malformed file yields its named rule with a position (load, then lint when a graph loads).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintPipeline } from '../../core/lint';
import { loadYamlSpec } from '../../definitions/yaml';

const DIR = join(__dirname, '..', 'corpus', 'yaml');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
/** Rules about something the document lacks: nothing to point at. */
const POSITIONLESS = new Set(['start_node', 'terminal_node']);
/**
 * Rules the spec makes warnings (§11.12: an orphan node is a warning; §7.2 lists no exit_reachable rule and
 * §3.2 completes a run at a dead end, so a node that cannot reach the exit is a warning too).
 */
const WARNINGS = new Set(['reachability', 'exit_reachable']);

describe('yaml corpus', () => {
  it('holds at least 22 cases, one rule each, when listed', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(22);
    for (const f of FILES) expect(f).toMatch(/^[a-z_]+__[a-z0-9-]+\.yaml$/);
  });

  test.each(FILES)('reports the rule named by %s', (file) => {
    const rule = file.split('__')[0] as string;
    const r = loadYamlSpec(readFileSync(join(DIR, file), 'utf8'), file);
    const diags = r.kind === 'PipelineSpec' && r.graph ? [...r.diagnostics, ...lintPipeline(r.graph, { file, sourceMap: r.sourceMap })] : r.diagnostics;
    const hit = diags.find((d) => d.rule === rule);
    expect(hit).toMatchObject({ rule, file, severity: WARNINGS.has(rule) ? 'warning' : 'error' });
    if (!POSITIONLESS.has(rule)) expect(hit?.line).toBeGreaterThanOrEqual(1);
  });
});
