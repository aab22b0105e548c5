// Builds the workflow bundle of an earlier release from git and writes it under test/fixtures/bundles/<name>/
// (or <out-dir>/<name>/), so the upgrade tests (test/replay/) can run a run on the OLD workflow code from a
// clean clone, without git tags, network or a second checkout, and the legacy worker (workers/legacy.ts) can
// drain the runs an unversioned release left open. Usage:
//   npx tsx scripts/build-release-bundle.ts <commit> <name> [<out-dir>]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';

async function main(): Promise<void> {
  const [commit, name, outDir] = process.argv.slice(2);
  if (!commit || !name) throw new Error('usage: npx tsx scripts/build-release-bundle.ts <commit> <release-name> [<out-dir>]');
  const root = resolve(__dirname, '..');
  const sha = execFileSync('git', ['rev-parse', `${commit}^{commit}`], { cwd: root, encoding: 'utf8' }).trim();
  const tree = mkdtempSync(join(tmpdir(), 'factory-release-'));
  try {
    // only the sources the workflow bundle imports; node_modules is borrowed from this checkout
    execFileSync('sh', ['-c', `git archive ${sha} workflows core package.json tsconfig.json | tar -x -C "${tree}"`], { cwd: root });
    symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
    // the pipeline worker's entry (workflows/bundle-pipeline.ts since the redesign; workflows/index.ts before)
    const entry = ['bundle-pipeline.ts', 'index.ts'].map((f) => join(tree, 'workflows', f)).find((f) => existsSync(f));
    if (!entry) throw new Error(`${sha} has neither workflows/bundle-pipeline.ts nor workflows/index.ts`);
    const bundle = await bundleWorkflowCode({ workflowsPath: entry, logger: new DefaultLogger('WARN') });
    const out = join(outDir ? resolve(outDir) : join(root, 'test', 'fixtures', 'bundles'), name);
    mkdirSync(out, { recursive: true });
    // the inline source map is two thirds of the bundle and only helps stack traces: an empty one instead
    // (the Worker requires one to be present)
    const emptyMap = Buffer.from(JSON.stringify({ version: 3, file: 'workflows.js', sources: [], names: [], mappings: '' })).toString('base64');
    const code = bundle.code.replace(/\/\/# sourceMappingURL=data:[^\n]*\n?$/, `//# sourceMappingURL=data:application/json;base64,${emptyMap}\n`);
    writeFileSync(join(out, 'workflows.js'), code);
    const sdk = (require('@temporalio/workflow/package.json') as { version: string }).version;
    writeFileSync(join(out, 'VERSION.json'), `${JSON.stringify({ release: name, commit: sha, temporalSdk: sdk, builtBy: 'scripts/build-release-bundle.ts' }, null, 2)}\n`);
    process.stdout.write(`wrote ${out}/workflows.js (${bundle.code.length} bytes) from ${sha}\n`);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`build-release-bundle: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
