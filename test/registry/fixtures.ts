// Minimal spec texts and a temp project root for registry tests.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A small lint-clean pipeline at `version`; `extra` changes its bytes without changing its id/version. */
export function pipelineYaml(version = '1.0.0', extra = ''): string {
  return `kind: PipelineSpec
id: demo-pipeline
version: ${version}
goal: Say hello${extra}
nodes:
  - { id: start, type: start }
  - { id: work, prompt: "Do it: $goal" }
  - { id: exit, type: exit }
edges:
  - { from: start, to: work }
  - { from: work, to: exit }
`;
}

/** A suite whose body contains a canary string that must never appear in a manifest. */
export const CANARY = 'CANARY-7f3a-scenario-body';
export function suiteYaml(version = '1.0.0'): string {
  return `kind: ScenarioSuite
id: demo-holdout
version: ${version}
pipeline_id: demo-pipeline
pipeline_major: 1
capabilities: [node]
pass_bar: { satisfaction: 1.0, must_pass: [runs] }
scenarios:
  - { id: runs, kind: command, title: runs, run: "echo ${CANARY}", timeout: 30s, expect: { exit_code: 0 } }
  - { id: judged, kind: judge, rubric: "${CANARY} rubric" }
`;
}

/** A profile. */
export function profileYaml(version = '1.0.0'): string {
  return `kind: FactoryProfile
id: demo-local
version: ${version}
provider: { kind: twin }
environment: { name: local }
`;
}

/** A throwaway project root; `write` puts a file under it and returns its path. */
export async function tempRoot(): Promise<{ root: string; write(rel: string, text: string | Uint8Array): Promise<string>; cleanup(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'factory-registry-'));
  return {
    root,
    async write(rel, text) {
      const file = join(root, rel);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
      return file;
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
