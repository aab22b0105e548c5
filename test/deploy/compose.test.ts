// docker-compose.yml as CI can check it without a Docker engine: every service built from our image
// runs a real `factory` command with options that command accepts; only the scenario worker mounts
// scenarios/; the run root and the candidate workdir are shared volumes at the profile's paths; the
// image's build context leaves scenario bodies out. (`docker-compose config -q` runs in .ci/run.)
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { buildProgram } from '../../client/cli';
import { CliContext } from '../../client/context';
import { SEARCH_ATTRIBUTE_TYPES, TASK_QUEUES } from '../../core/temporal-names';
import { loadSpecFile } from '../../definitions/load';

const REPO = join(__dirname, '..', '..');
const APP = '/app'; // the image's WORKDIR (Dockerfile)

interface Service {
  build?: unknown;
  image?: string;
  command?: string | string[];
  entrypoint?: string | string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  profiles?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** `${VAR:-default}` / `${VAR-default}` / `${VAR}` as compose reads them with the variables unset. */
function interpolate(text: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_m, _name: string, def?: string) => def ?? '');
}

const compose = parse(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8')) as ComposeFile;
const services = Object.entries(compose.services);
const ours = services.filter(([, s]) => s.build !== undefined);
const program = buildProgram(new CliContext({ out: () => undefined, err: () => undefined, cwd: REPO, env: {} }));

const argvOf = (s: Service): string[] => [...[s.entrypoint ?? []].flat(), ...[s.command ?? []].flat()].map(interpolate);
const mounts = (s: Service) =>
  (s.volumes ?? []).map((v) => {
    const [source = '', target = '', mode = 'rw'] = interpolate(v).split(':');
    return { source, target, mode };
  });

/** Checks argv (after `node bin/factory`) against the commander command it names; returns the problems. */
function checkArgv(args: readonly string[]): { command?: Command; options: Record<string, string>; problems: string[] } {
  const [name, ...rest] = args;
  if (name === '--help' && rest.length === 0) return { options: {}, problems: [] };
  const command = program.commands.find((c) => c.name() === name);
  if (!command) return { options: {}, problems: [`no such command: factory ${name}`] };
  const options: Record<string, string> = {};
  const problems: string[] = [];
  let positional = 0;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (!arg.startsWith('-')) {
      positional++;
      continue;
    }
    const opt = command.options.find((o) => o.long === arg || o.short === arg);
    if (!opt) {
      problems.push(`factory ${name} has no option ${arg}`);
      if (rest[i + 1] !== undefined && !rest[i + 1]?.startsWith('-')) i++; // its value, probably
    } else if (opt.required || opt.optional) options[arg] = rest[++i] ?? '';
    else options[arg] = 'true';
  }
  if (positional > command.registeredArguments.length) problems.push(`factory ${name} takes ${command.registeredArguments.length} argument(s), got ${positional}`);
  return { command, options, problems };
}

describe('docker-compose.yml', () => {
  it('runs the pipeline worker and the scenario worker as separate services built from our Dockerfile', () => {
    expect(ours.map(([name]) => name).sort()).toEqual(['factory', 'pipeline-worker', 'scenario-worker']);
    expect(argvOf(compose.services['pipeline-worker'] as Service).slice(0, 3)).toEqual(['node', 'bin/factory', 'worker']);
    expect(argvOf(compose.services['scenario-worker'] as Service).slice(0, 3)).toEqual(['node', 'bin/factory', 'scenario-worker']);
  });

  it.each(ours.map(([name, s]) => [name, s] as const))('gives %s a factory command and options that the CLI accepts', (_name, service) => {
    const argv = argvOf(service);
    expect(argv.slice(0, 2)).toEqual(['node', 'bin/factory']);
    expect(checkArgv(argv.slice(2)).problems).toEqual([]);
  });

  it('catches a command or an option the CLI does not have when checking argv', () => {
    expect(checkArgv(['wokrer']).problems).toEqual(['no such command: factory wokrer']);
    expect(checkArgv(['worker', '--scenarios-root', '/x']).problems).toEqual(['factory worker has no option --scenarios-root']);
  });

  it('points both workers at the compose Temporal server, one namespace, and the default task queues when no variables are set', () => {
    const pipeline = checkArgv(argvOf(compose.services['pipeline-worker'] as Service).slice(2)).options;
    const scenario = checkArgv(argvOf(compose.services['scenario-worker'] as Service).slice(2)).options;
    expect(pipeline).toMatchObject({ '--address': 'temporal:7233', '--task-queue': TASK_QUEUES.pipeline });
    expect(scenario).toMatchObject({ '--address': 'temporal:7233', '--task-queue': TASK_QUEUES.scenarios });
    expect(scenario['--namespace']).toBe(pipeline['--namespace']);
    expect(compose.services.temporal?.environment?.POSTGRES_SEEDS).toBe('postgresql');
  });

  it('mounts scenarios/ in the scenario worker only, at its --scenarios-root', () => {
    const touching = services.filter(([, s]) => mounts(s).some((m) => /(^|\/)scenarios\/?$/.test(m.source) || m.target.includes('scenarios'))).map(([n]) => n);
    expect(touching).toEqual(['scenario-worker']);
    const root = checkArgv(argvOf(compose.services['scenario-worker'] as Service).slice(2)).options['--scenarios-root'];
    expect(mounts(compose.services['scenario-worker'] as Service)).toContainEqual({ source: './scenarios', target: root, mode: 'ro' });
  });

  it('shares the run root volume (candidate remote) at the profile run_root, and it and the workdir volume read-only with the scenario worker', async () => {
    const loaded = await loadSpecFile(join(REPO, 'specs/profiles/local@1.0.0.yaml'));
    const env = loaded.kind === 'FactoryProfile' ? loaded.profile?.environment : undefined;
    if (!env) throw new Error('local profile did not load');
    const runRoot = posix.join(APP, env.run_root);
    const workdir = posix.join(APP, env.workdir);
    const at = (service: string, target: string) => mounts(compose.services[service] as Service).find((m) => m.target === target);

    expect(at('pipeline-worker', runRoot)).toEqual({ source: 'runs', target: runRoot, mode: 'rw' });
    expect(at('factory', runRoot)?.source).toBe('runs');
    // read-only: the scenario worker fetches the pinned candidate from the remote under the run root (issue 21)
    expect(at('scenario-worker', runRoot)).toEqual({ source: 'runs', target: runRoot, mode: 'ro' });
    expect(at('pipeline-worker', workdir)).toEqual({ source: 'workspace', target: workdir, mode: 'rw' });
    expect(at('scenario-worker', workdir)).toEqual({ source: 'workspace', target: workdir, mode: 'ro' });
    expect(Object.keys(compose.volumes ?? {})).toEqual(expect.arrayContaining(['runs', 'workspace']));
  });

  it('registers every search attribute runs use, with its type, before any worker starts', () => {
    const setup = compose.services['temporal-setup'] as Service;
    const script = [setup.command ?? []].flat().join('\n');
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_TYPES)) expect(script).toContain(`${name}:${type}`);
    expect(script).toContain('temporal operator search-attribute create');
    for (const [, s] of ours) expect(s.depends_on?.['temporal-setup']).toEqual({ condition: 'service_completed_successfully' });
    expect(setup.depends_on?.temporal).toEqual({ condition: 'service_healthy' });
  });

  it('runs the Web UI and a PostgreSQL-backed server', () => {
    expect(compose.services['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
    expect(compose.services.temporal?.image).toMatch(/^temporalio\/server:/);
    expect(compose.services.postgresql?.image).toMatch(/^postgres:/);
  });
});

describe('.dockerignore', () => {
  /** Docker's rule: the last matching pattern wins; `!` re-includes. Enough of the syntax for our file. */
  const patterns = readFileSync(join(REPO, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const toRegex = (p: string) =>
    new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '(.*/)?').replace(/\*/g, '[^/]*')}(/.*)?$`);
  const excluded = (path: string) =>
    patterns.reduce((out, p) => (p.startsWith('!') ? (toRegex(p.slice(1)).test(path) ? false : out) : toRegex(p).test(path) ? true : out), false);

  it.each([
    ['scenarios/feature-pipeline-holdout@1.0.0.yaml', true],
    ['examples/scenarios/feature-holdout.yaml', true],
    ['scenarios/registry.lock.json', false],
    ['specs/registry.lock.json', false],
    ['bin/factory', false],
    ['node_modules/yaml/package.json', true],
    ['runs/run-1/run.json', true],
  ])('excludes %s from the build context: %s', (path, out) => {
    expect(excluded(path)).toBe(out);
  });
});
