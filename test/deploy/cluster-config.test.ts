// docker-compose.yml and scripts/cluster.sh cannot drift: both take their versions from
// deploy/versions.env and run temporal-server and the Web UI with the same files in deploy/; the
// cluster script registers exactly the search attributes runs use. (The cluster drill in
// test/cluster/ starts what cluster.sh describes; this file checks the text both read.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseEnvFile } from '../../infra/cluster';
import { SEARCH_ATTRIBUTE_TYPES } from '../../core/temporal-names';

const REPO = join(__dirname, '..', '..');
const read = (path: string): string => readFileSync(join(REPO, path), 'utf8');
const versions = parseEnvFile(read('deploy/versions.env'));
interface Service { image?: string; entrypoint?: string[]; volumes?: string[]; environment?: Record<string, string> }
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };
const clusterScripts = ['scripts/cluster.sh', 'scripts/cluster/common.sh', 'scripts/cluster/services.sh', 'scripts/cluster/build.sh'].map(read).join('\n');

/** The default of `${NAME:-default}` in an image reference, and the image name. */
function imageDefault(service: string): { name: string; variable: string; fallback: string } {
  const image = compose.services[service]?.image ?? '';
  const m = /^([^:]+):\$\{([A-Z_]+):-([^}]+)\}$/.exec(image);
  if (!m) throw new Error(`${service}: image ${image} is not <name>:\${VAR:-default}`);
  return { name: m[1] as string, variable: m[2] as string, fallback: m[3] as string };
}

describe('deploy/versions.env', () => {
  it('pins temporal-server, the Web UI and PostgreSQL when read as KEY=value lines', () => {
    expect(versions).toMatchObject({ TEMPORAL_VERSION: expect.stringMatching(/^\d+\.\d+\.\d+$/), TEMPORAL_UI_VERSION: expect.stringMatching(/^\d+\.\d+\.\d+$/), POSTGRES_VERSION: expect.stringMatching(/^\d+$/) });
  });

  it.each([
    ['postgresql', 'postgres', 'POSTGRES_VERSION'],
    ['temporal-schema', 'temporalio/admin-tools', 'TEMPORAL_VERSION'],
    ['temporal', 'temporalio/server', 'TEMPORAL_VERSION'],
    ['temporal-setup', 'temporalio/admin-tools', 'TEMPORAL_VERSION'],
    ['temporal-ui', 'temporalio/ui', 'TEMPORAL_UI_VERSION'],
  ])('gives compose service %s the image %s at the pinned %s when no variable is set', (service, name, variable) => {
    expect(imageDefault(service)).toEqual({ name, variable, fallback: versions[variable] });
  });

  it('is the file cluster.sh builds from: server and sql tool at TEMPORAL_VERSION, ui-server at TEMPORAL_UI_VERSION, PostgreSQL from POSTGRES_VERSION', () => {
    expect(clusterScripts).toContain('source "$ROOT/deploy/versions.env"');
    expect(clusterScripts).toContain('go.temporal.io/server/cmd/server@v$TEMPORAL_VERSION');
    expect(clusterScripts).toContain('go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_VERSION');
    expect(clusterScripts).toContain('github.com/temporalio/ui-server/v2/cmd/server@v$TEMPORAL_UI_VERSION');
    expect(clusterScripts).toContain('/usr/lib/postgresql/$POSTGRES_VERSION/bin');
  });
});

describe('deploy/ config shared by compose and cluster.sh', () => {
  it('runs the compose temporal service with deploy/temporal/cluster.yaml, as cluster.sh does', () => {
    const temporal = compose.services.temporal as Service;
    expect(temporal.volumes).toContain('./deploy/temporal:/etc/temporal/factory:ro');
    expect(temporal.entrypoint).toEqual(['temporal-server', '--root', '/', '--config', 'etc/temporal/factory', '--env', 'cluster', 'start']);
    expect(clusterScripts).toContain('--root / --config "$ROOT/deploy/temporal" --env cluster start');
    // the dynamic config default in the template is where compose mounts it
    expect(read('deploy/temporal/cluster.yaml')).toContain('default "/etc/temporal/factory/dynamicconfig.yaml"');
  });

  it('runs the compose Web UI with deploy/ui/cluster.yaml, as cluster.sh does', () => {
    expect(compose.services['temporal-ui']?.volumes).toContain('./deploy/ui/cluster.yaml:/home/ui-server/config/docker.yaml:ro');
    expect(clusterScripts).toContain('--root / --config "$ROOT/deploy/ui" --env cluster start');
  });

  it('reads only variables the compose service sets or that have a default when the server config is rendered', () => {
    const template = read('deploy/temporal/cluster.yaml');
    const required = [...template.matchAll(/\(env "([A-Z_]+)"\)/g)].map((m) => m[1] as string);
    const defaulted = new Set([...template.matchAll(/default "[^"]*" \(env "([A-Z_]+)"\)/g)].map((m) => m[1] as string));
    const optional = new Set(['TEMPORAL_TLS_DIR']); // `if env` blocks: off when unset
    const bare = [...template.matchAll(/\{\{ env "([A-Z_]+)" \}\}/g)].map((m) => m[1] as string);
    const env = compose.services.temporal?.environment ?? {};
    for (const v of required) expect(defaulted.has(v) || v in env || optional.has(v)).toBe(true);
    for (const v of bare) expect(optional.has(v)).toBe(true);
    expect(template.split('\n')[0]).toBe('# enable-template');
  });

  it('registers every search attribute runs use, with its type, in cluster.sh', () => {
    const m = /^SEARCH_ATTRIBUTES="([^"]*)"$/m.exec(clusterScripts);
    const listed = Object.fromEntries((m?.[1] ?? '').split(' ').map((p) => p.split(':') as [string, string]));
    expect(listed).toEqual(SEARCH_ATTRIBUTE_TYPES);
  });
});
