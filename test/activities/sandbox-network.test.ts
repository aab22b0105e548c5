// The sandbox's network allow-list (issue 20, docs/security.md): the sandbox has no network of its own;
// an HTTP proxy outside it, reached through a unix socket and a forwarder inside, lets through only the
// profile's hosts — never the Temporal frontend, never an IP literal or a private address a wildcard
// resolved to. Real bubblewrap, real curl and node; test host names map to 127.0.0.1 through the
// proxy's resolver (the sandbox itself resolves nothing).
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runConfined, setForwarderForTests, setNetResolverForTests } from '../../activities/sandbox/run';
import { isPrivateAddress, matchHost, refuseAlways } from '../../activities/sandbox/net-proxy';
import { allowEntryProblem, type SandboxPolicy } from '../../core/sandbox-policy';
import { createCodergenHandler } from '../../activities/handlers/codergen';
import { toolHandler } from '../../activities/handlers/tool';
import type { ProviderConfig } from '../../definitions/schemas/profile';
import { node, stageContext, tempDir, useLlmMockDir } from './helpers';

const TEMPORAL = process.env.FACTORY_TEST_TEMPORAL_ADDRESS ?? '';
const SECRET = 'EVIL-SERVED-canary-61c2';

/** One of this machine's own non-loopback addresses (the Temporal frontend may listen on it too). */
const OWN_IP = Object.values(networkInterfaces()).flatMap((l) => l ?? []).find((i) => i.family === 'IPv4' && !i.internal)?.address ?? '127.0.0.1';
let server: Server;
let port = 0;
beforeAll(async () => {
  server = createServer((req, res) => res.end(req.headers.host?.startsWith('evil.') ? SECRET : `served ${req.headers.host} ${req.url}`));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  port = (server.address() as AddressInfo).port;
  // every *.test name is this machine; the Temporal frontend is refused as the worker registers it
  const temporalHost = TEMPORAL.split(':')[0] ?? '127.0.0.1';
  setNetResolverForTests(async (h) => (h === 'self.test' ? [OWN_IP] : h === 'temporal.test' ? [temporalHost === 'localhost' ? '127.0.0.1' : temporalHost] : h.endsWith('.test') ? ['127.0.0.1'] : h === 'localhost' ? ['127.0.0.1'] : ['203.0.113.7']));
  refuseAlways(TEMPORAL);
});
afterAll(async () => {
  setNetResolverForTests(undefined);
  await new Promise((ok) => server.close(ok));
});

const policy = (allow: string[]): SandboxPolicy => ({ mode: 'bwrap', network: 'off', allow, env: [] });

async function sh(command: string, allow: string[]) {
  const { dir, cleanup } = await tempDir('fnt-');
  try {
    const r = await runConfined(
      { argv: ['/bin/sh', '-c', command], cwd: dir, env: { PATH: process.env.PATH }, signal: new AbortController().signal, timeoutMs: 30_000, stdoutFile: join(dir, 'out.log'), stderrFile: join(dir, 'err.log') },
      { sandbox: policy(allow), writable: [dir] },
    );
    return { ...r, stderrLog: readFileSync(join(dir, 'err.log'), 'utf8') };
  } finally {
    await cleanup();
  }
}

describe('allow-list entries and addresses', () => {
  it('accepts host names, *.domain, * and IP literals and names the problem of anything else', () => {
    for (const ok of ['registry.npmjs.org', '*.pypi.org', '*', '10.0.0.5', '::1', 'localhost']) expect(allowEntryProblem(ok)).toBeUndefined();
    expect(allowEntryProblem('https://registry.npmjs.org')).toMatch(/not a host name/);
    expect(allowEntryProblem('registry.npmjs.org:443')).toMatch(/not a host name/);
    expect(allowEntryProblem('*.org')).toMatch(/whole top-level domain/);
    expect(allowEntryProblem('a.*.org')).toMatch(/wildcard/);
    expect(allowEntryProblem('bad_host!')).toMatch(/not a valid host name/);
    expect(allowEntryProblem('')).toMatch(/empty/);
  });

  it('matches by name or subdomain, never an IP for a name, and knows private ranges', () => {
    expect(matchHost(['*.pypi.org'], 'files.pypi.org')).toBe('wildcard');
    expect(matchHost(['*.pypi.org'], 'pypi.org')).toBeUndefined();
    expect(matchHost(['*.pypi.org'], 'evilpypi.org')).toBeUndefined();
    expect(matchHost(['Registry.NPMjs.org'], 'registry.npmjs.org.')).toBe('named');
    expect(matchHost(['*'], '127.0.0.1')).toBeUndefined();
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '0.0.0.0']) expect(isPrivateAddress(ip)).toBe(true);
    for (const ip of ['203.0.113.7', '104.16.0.1', '2606:4700::1']) expect(isPrivateAddress(ip)).toBe(false);
  });
});

describe('a sandboxed command and the allow-list proxy (real bwrap)', () => {
  it('reaches an allowed host by name over http and is refused for any other, with the reason in its stderr log', async () => {
    const r = await sh(`curl -sS http://pkg.test:${port}/tarball; echo; curl -sS -p http://pkg.test:${port}/tunnelled; echo; curl -sS -o /dev/null -w 'evil=%{http_code}\\n' http://evil.test:${port}/; echo done`, ['pkg.test']);
    expect(r.stdout).toContain(`served pkg.test:${port} /tarball`);
    // through a CONNECT tunnel, as https goes
    expect(r.stdout).toContain(`served pkg.test:${port} /tunnelled`);
    expect(r.stdout).toContain('evil=403');
    expect(r.stdout).not.toContain(SECRET);
    expect(r.stderrLog).toContain(`factory sandbox: network: refused GET evil.test:${port}: not on the allow-list`);
  });

  it('sends the checked host as Host: a forged Host header cannot front another site at an allowed address', async () => {
    const r = await sh(`curl -sS -H 'Host: evil.test:${port}' http://pkg.test:${port}/fronted; echo`, ['pkg.test']);
    expect(r.stdout).toContain(`served pkg.test:${port} /fronted`);
    expect(r.stdout).not.toContain(SECRET);
  });

  it('refuses CONNECT (https) to a host not on the list, an IP literal, and a private address a wildcard resolved to', async () => {
    const r = await sh(
      `curl -sS -p http://evil.test:${port}/ 2>&1; echo; curl -sS http://203.0.113.7:${port}/ 2>&1; echo; curl -sS -p https://[2606:4700::1]/ 2>&1; echo done`,
      ['pkg.test', '*.other.test'],
    );
    expect(r.stdout).not.toContain(SECRET);
    expect(r.stdout).not.toContain('served');
    expect(r.stdout).toMatch(/403/);
    expect(r.stderrLog).toContain(`refused CONNECT evil.test:${port}: not on the allow-list`);
    expect(r.stderrLog).toContain(`refused GET 203.0.113.7:${port}: an IP address not on the allow-list`);
    expect(r.stderrLog).toContain('refused CONNECT 2606:4700::1:443: an IP address not on the allow-list');
    const w = await sh(`curl -sS http://pkg.other.test:${port}/ 2>&1; echo done`, ['*.other.test']);
    expect(w.stdout).not.toContain('served');
    expect(w.stderrLog).toContain('resolves to a private address (127.0.0.1); only a host listed by name may');
  });

  it('never reaches the Temporal frontend, even with its host name on the list', async () => {
    expect(TEMPORAL).not.toBe('');
    const tport = TEMPORAL.split(':')[1];
    const r = await sh(`curl -sS -p http://temporal.test:${tport}/ 2>&1; echo; curl -sS http://temporal.test:${tport}/ 2>&1; echo done`, ['temporal.test']);
    expect(r.stderrLog).toContain(`refused CONNECT temporal.test:${tport}: the Temporal frontend: never reachable from a sandbox`);
    expect(r.stderrLog).toContain(`refused GET temporal.test:${tport}: the Temporal frontend`);
    // nor through one of this machine's other addresses under a name listed exactly
    const own = await sh(`curl -sS -p http://self.test:${tport}/ 2>&1; echo done`, ['self.test']);
    expect(own.stderrLog).toContain(`refused CONNECT self.test:${tport}: the Temporal frontend`);
  });

  it('has no route around the proxy: no resolver, no interface but its own loopback', async () => {
    const direct = `node -e "const n=require('net');const t=(h,p)=>new Promise(r=>n.connect(p,h).on('connect',()=>r('CONNECTED '+h)).on('error',e=>r('no '+h+' '+e.code)));Promise.all([t('127.0.0.1',${port}),t('203.0.113.7',80),t('${TEMPORAL.split(':')[0]}',${TEMPORAL.split(':')[1]})]).then(a=>console.log(a.join('\\n')));require('dns').lookup('example.com',(e)=>console.log('dns '+(e?e.code:'RESOLVED')))"`;
    const r = await sh(`${direct}; curl -sS --noproxy '*' http://pkg.test:${port}/ 2>&1; echo done`, ['pkg.test']);
    expect(r.stdout).toContain('no 127.0.0.1 ECONNREFUSED');
    expect(r.stdout).toMatch(/no 203\.0\.113\.7 (ENETUNREACH|EHOSTUNREACH)/);
    expect(r.stdout).not.toContain('CONNECTED');
    expect(r.stdout).not.toContain('dns RESOLVED');
    expect(r.stdout).toContain('Could not resolve host: pkg.test');
    expect(r.stdout).not.toContain('served');
  });

  it('works the same with the node forwarder (a system without /usr/bin/python3)', async () => {
    setForwarderForTests('node');
    try {
      const r = await sh(`curl -sS -p http://pkg.test:${port}/by-node; echo; curl -sS http://evil.test:${port}/; echo; cat > got.txt; exit 3`, ['pkg.test']);
      expect(r.stdout).toContain(`served pkg.test:${port} /by-node`);
      expect(r.stdout).not.toContain(SECRET);
      expect(r.stderrLog).toContain(`refused GET evil.test:${port}: not on the allow-list`);
      expect(r.exitCode).toBe(3);
    } finally {
      setForwarderForTests(undefined);
    }
  });

  it('exits as the command does (a timeout kills it) and removes the proxy\'s socket directory afterwards', async () => {
    const proxyDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('factory-net-'));
    const before = proxyDirs();
    const r = await sh('echo out; exit 7', ['pkg.test']);
    expect(r.exitCode).toBe(7);
    expect(r.stdout).toBe('out\n');
    const k = await sh('kill -TERM $$', ['pkg.test']);
    expect(k.exitCode === 143 || k.signal === 'SIGTERM').toBe(true);
    // a command that outlives its timeout is killed with its forwarder, and the proxy still goes away
    const { dir, cleanup } = await tempDir('fnt-');
    try {
      const started = Date.now();
      const slow = await runConfined(
        { argv: ['/bin/sh', '-c', 'sleep 30'], cwd: dir, env: { PATH: process.env.PATH }, signal: new AbortController().signal, timeoutMs: 500, stdoutFile: join(dir, 'o'), stderrFile: join(dir, 'e') },
        { sandbox: policy(['pkg.test']), writable: [dir] },
      );
      expect(slow.timedOut).toBe(true);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await cleanup();
    }
    expect(proxyDirs()).toEqual(before);
  });
});

describe('a tool stage behind the allow-list', () => {
  it('installs from the allowed host, and fails naming the refused host when its command reaches for another', async () => {
    const { dir, cleanup } = await tempDir('fnt-');
    try {
      mkdirSync(join(dir, 'runs', 'run-1', 't'), { recursive: true });
      mkdirSync(join(dir, 'ws'), { recursive: true });
      const stage = (command: string) =>
        toolHandler.execute(stageContext(join(dir, 'runs', 'run-1'), node('t', { type: 'tool', tool_command: command }), { workdir: join(dir, 'ws'), sandbox: policy(['pkg.test']) }));
      const ok = await stage(`curl -sSf http://pkg.test:${port}/pkg.tgz > pkg.tgz && cat pkg.tgz`);
      expect(ok.status).toBe('success');
      expect(readFileSync(join(dir, 'ws', 'pkg.tgz'), 'utf8')).toBe(`served pkg.test:${port} /pkg.tgz`);
      const bad = await stage(`curl -sSf http://evil.test:${port}/x`);
      expect(bad.status).toBe('fail');
      expect(bad.failure_reason).toContain(`factory sandbox: network: refused GET evil.test:${port}: not on the allow-list`);
      expect(readFileSync(join(dir, 'runs', 'run-1', 't', 'stderr.log'), 'utf8')).toContain('refused GET evil.test');
    } finally {
      await cleanup();
    }
  });
});

const KEY = 'sk-mock-key';
const t = useLlmMockDir(KEY, 'factory-net-agent-');

describe('a scripted model behind the allow-list', () => {
  it('gets the allowed registry, and a refusal for curl and node fetch to any other host', async () => {
    const workdir = join(t.dir, 'ws');
    mkdirSync(workdir, { recursive: true });
    const fetchEvil = `node -e "fetch('http://evil.test:${port}/').then(r=>r.text()).then(t=>console.log('FETCHED '+t),e=>console.log('fetch failed '+(e.cause&&e.cause.code)))"`;
    t.mock.script('NET1', [
      { tools: [{ name: 'shell', args: { command: `curl -sS http://pkg.test:${port}/left-pad; echo; curl -sS http://evil.test:${port}/ 2>&1; curl -sS https://evil.test/ 2>&1; ${fetchEvil}; echo probe-net-ran` } }] },
      { text: 'done' },
    ]);
    const provider = { kind: 'openai', api: 'chat', api_key_env: 'MOCK_KEY', model: 'm-1', base_url: t.base, timeout_ms: 20_000 } as ProviderConfig;
    const runDir = join(t.dir, 'runs', 'run-1');
    mkdirSync(join(runDir, 'code'), { recursive: true });
    const out = await createCodergenHandler().execute(stageContext(runDir, node('code', { prompt: 'NET1: work' }), { provider, env: { PATH: process.env.PATH, MOCK_KEY: KEY }, workdir, sandbox: policy(['pkg.test']), timeoutMs: 60_000 }));
    expect(out.status).toBe('success');
    const toModel = t.mock
      .of('NET1')
      .flatMap((r) => (r.body.messages as { role: string; content: unknown }[]).filter((m) => m.role === 'tool').map((m) => JSON.stringify(m.content)))
      .join('\n');
    // the system prompt says what the shell's network is
    expect(JSON.stringify(t.mock.of('NET1')[0]?.body.messages)).toContain('no network except HTTP(S) to pkg.test through the proxy');
    expect(toModel).toContain('probe-net-ran');
    expect(toModel).toContain(`served pkg.test:${port} /left-pad`);
    expect(toModel).toContain(`refused GET evil.test:${port}: not on the allow-list`);
    expect(toModel).toContain('refused CONNECT evil.test:443: not on the allow-list');
    expect(toModel).toContain('fetch failed');
    expect(toModel).not.toContain(SECRET);
  });
});

describe('the agent provider (an external coding agent CLI) in its sandbox', () => {
  it('runs the CLI with the workspace writable, nothing else of the machine, its key alone, and only its API host', async () => {
    const R = t.dir;
    const workdir = join(R, 'ws');
    const runDir = join(R, 'runs', 'run-1');
    mkdirSync(join(runDir, 'code'), { recursive: true });
    mkdirSync(workdir, { recursive: true });
    mkdirSync(join(R, 'scenarios'), { recursive: true });
    writeFileSync(join(R, 'scenarios', 'holdout.yaml'), 'HOLDOUT-agent-canary-93ad\n');
    mkdirSync(join(R, 'bin'), { recursive: true });
    const cli = join(R, 'bin', 'fake-agent');
    writeFileSync(
      cli,
      `#!/bin/sh
cat >/dev/null
cat ${R}/scenarios/holdout.yaml ../scenarios/holdout.yaml 2>&1
echo x > ${R}/pwned.txt 2>&1
echo written > made-by-agent.txt
echo "key=$AGENT_KEY other=$OTHER_KEY"
curl -sS http://api.test:${port}/v1/messages; echo
curl -sS http://evil.test:${port}/ 2>&1; echo
echo agent-ran
`,
    );
    chmodSync(cli, 0o755);
    const provider = { kind: 'agent', command: [cli], timeout_ms: 30_000, env: ['AGENT_KEY'], allow_hosts: ['api.test'] } as ProviderConfig;
    const out = await createCodergenHandler().execute(
      stageContext(runDir, node('code', { prompt: 'do it' }), { provider, env: { PATH: process.env.PATH, AGENT_KEY: 'agent-key-1', OTHER_KEY: 'other-key-canary-2' }, workdir, timeoutMs: 60_000 }),
    );
    const response = readFileSync(join(runDir, 'code', 'response.md'), 'utf8');
    expect(out.status).toBe('success');
    expect(response).toContain('agent-ran');
    expect(response).not.toContain('HOLDOUT-agent-canary');
    expect(response).toContain('key=agent-key-1 other=\n');
    expect(response).toContain(`served api.test:${port} /v1/messages`);
    expect(response).not.toContain(SECRET);
    expect(readFileSync(join(runDir, 'code', 'stderr.log'), 'utf8')).toContain(`refused GET evil.test:${port}: not on the allow-list`);
    expect(existsSync(join(R, 'pwned.txt'))).toBe(false);
    expect(readFileSync(join(workdir, 'made-by-agent.txt'), 'utf8')).toBe('written\n');
  });
});
