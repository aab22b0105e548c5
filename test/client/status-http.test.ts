// `factory status <id>` through the frontend's HTTP API (issue 23: ≤ 0.5 s against a running server): the
// same lines and JSON as the gRPC read for a run at a gate, one retrying, one done, one failed, one
// terminated, one no worker answers and one the server does not have; no Temporal SDK module loaded on
// that path; the local server's record finds the HTTP API; a wrong HTTP address falls back to gRPC and
// says so; with TLS the same CA, client pair and server name apply (a TLS front to the real server).
import { execFile, execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:tls';
import { connect as tcpConnect, type AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STATUS_QUERIES } from '../../client/commands/status';
import { runFailureOf } from '../../client/http-api';
import { SEARCH_ATTRIBUTES } from '../../core/temporal-names';
import { processStartTime } from '../../infra/process-identity';
import { approveSignal, eventsQuery, runQuery } from '../../workflows/messages';
import { allEvents, eventually, pipelineYaml, testProfileYaml, useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv, TEST_ENV, uniqueId } from '../helpers/temporal';
import { awaitGate, gatedPipeline } from '../surfaces/helpers';
import { BIN, runCli, type CliResult } from './run-cli';

const env = useRunEnv();
const http = (): string => {
  const a = process.env[TEST_ENV.http];
  if (!a) throw new Error(`${TEST_ENV.http} is not set (global-setup records the dev server's HTTP port)`);
  return a;
};
const ns = () => testTemporalEnv().namespace;

/** Over gRPC: an explicit --address the environment has no HTTP address for. */
const grpc = (args: readonly string[], cwd: string) => runCli([...args, '--address', testTemporalEnv().address, '--namespace', ns()], cwd);
/** Over HTTP: TEMPORAL_ADDRESS with TEMPORAL_HTTP_ADDRESS beside it. */
const overHttp = (args: readonly string[], cwd: string, extra: Record<string, string> = {}) =>
  runCli(args, cwd, { TEMPORAL_ADDRESS: testTemporalEnv().address, TEMPORAL_NAMESPACE: ns(), TEMPORAL_HTTP_ADDRESS: http(), ...extra });

/** `status` and `status --json` agree between the two paths (times in pending lines are seconds apart at most). */
async function expectSame(id: string, cwd: string): Promise<CliResult> {
  const [a, b] = [await grpc(['status', id], cwd), await overHttp(['status', id], cwd)];
  expect(b.stderr).toBe(a.stderr);
  expect(b.stdout).toBe(a.stdout);
  expect(b.code).toBe(a.code);
  const [ja, jb] = [await grpc(['status', id, '--json'], cwd), await overHttp(['status', id, '--json'], cwd)];
  expect(JSON.parse(jb.stdout)).toEqual(JSON.parse(ja.stdout));
  return b;
}

describe('factory status over the HTTP API', () => {
  it('uses the wire names the workflow defines for its queries', () => {
    expect(STATUS_QUERIES).toEqual({ run: runQuery.name, events: eventsQuery.name });
  });

  it('prints what the gRPC read prints for a run at a gate, then after it ended', async () => {
    const ws = workspace(gatedPipeline(uniqueId('http-gate')));
    const handle = await env.start(ws);
    await awaitGate(handle, 'review');
    const live = await expectSame(handle.workflowId, ws.dir);
    expect(live.stdout).toMatch(new RegExp(`^run ${handle.workflowId}: awaiting_human\\n`));
    expect(live.stdout).toContain('  open gates: review');

    await handle.signal(approveSignal, { by: 'alice' });
    await handle.result();
    const done = await expectSame(handle.workflowId, ws.dir);
    expect(done.stdout).toMatch(new RegExp(`^run ${handle.workflowId}: completed \\(succeeded\\)`));
    expect(done.code).toBe(0);
  });

  it('prints the stage waiting for its next attempt, as the gRPC read does (the events query with its arguments)', async () => {
    const profile = testProfileYaml().replace('initial_interval: 100ms', 'initial_interval: 5m').replace('maximum_interval: 1s', 'maximum_interval: 5m');
    const pipeline = pipelineYaml(uniqueId('http-retry'), ['{ id: build, type: tool, tool_command: "echo broken >&2; exit 3", max_retries: 2 }'], ['{ from: start, to: build }', '{ from: build, to: exit }']);
    const ws = workspace(pipeline, { profile });
    const handle = await env.start(ws);
    try {
      await eventually(async () => (await allEvents(handle)).some((e) => e.type === 'stage.retrying'), 30_000, 200);
      const r = await overHttp(['status', handle.workflowId], ws.dir);
      expect(r.stdout).toMatch(/^ {2}stage build is retrying: attempt 1 of 3 failed \(.+\); next attempt in [2-7]m\d\ds$/m);
      const a = await grpc(['status', handle.workflowId], ws.dir);
      // "next attempt in 4m59s" may tick between the two reads
      const still = (s: string) => s.replace(/next attempt in \d+m\d\ds/, 'next attempt in …');
      expect(still(r.stdout)).toBe(still(a.stdout));
    } finally {
      await handle.terminate('test done');
    }
    const ended = await expectSame(handle.workflowId, ws.dir);
    expect(ended.stdout).toMatch(new RegExp(`^run ${handle.workflowId}: terminated\\n`));
    expect(ended.code).toBe(1);
  });

  it('reads a failed run\'s domain failure from its close event as the gRPC read does', async () => {
    const ws = workspace(pipelineYaml(uniqueId('http-fail'), ['{ id: build, type: tool, tool_command: "exit 4" }'], ['{ from: start, to: build }', '{ from: build, to: exit, condition: "outcome=success" }']));
    const handle = await env.start(ws);
    await expect(handle.result()).rejects.toThrow();
    // without the run directory, the failure comes from the server alone
    const elsewhere = mkdtempSync(join(tmpdir(), 'factory-status-http-'));
    const r = await expectSame(handle.workflowId, elsewhere);
    expect(r.stdout).toMatch(/ {2}failure: EXEC_FAILURE: /);
    expect(r.code).toBe(1);
  });

  it('says what the gRPC read says when no worker answers, and shows the search attributes', async () => {
    const id = uniqueId('http-noworker');
    const handle = await env.client.workflow.start('runPipeline', {
      taskQueue: uniqueId('nobody'),
      workflowId: id,
      args: [{ runId: id }],
      searchAttributes: { [SEARCH_ATTRIBUTES.status]: ['booting'], [SEARCH_ATTRIBUTES.pipeline]: ['p'] },
    });
    try {
      const cwd = mkdtempSync(join(tmpdir(), 'factory-status-http-'));
      const [a, b] = [
        await runCli(['status', id, '--address', testTemporalEnv().address, '--namespace', ns()], cwd, { FACTORY_WORKER_TIMEOUT: '1s' }),
        await overHttp(['status', id], cwd, { FACTORY_WORKER_TIMEOUT: '1s' }),
      ];
      expect(b.stderr).toMatch(/^factory: no pipeline worker answered the run query on task queue nobody-\S+ within 1s; .*showing the search attributes\n$/);
      expect(b.stderr).toBe(a.stderr);
      expect(b.stdout).toBe(a.stdout);
      expect(b.stdout).toMatch(new RegExp(`^run ${id}: booting\\n`));
    } finally {
      await handle.terminate('test done');
    }
  });

  it('says the run is not on this server, as the gRPC read does (exit 2)', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'factory-status-http-'));
    const [a, b] = [await grpc(['status', 'no-such-run-http'], cwd), await overHttp(['status', 'no-such-run-http'], cwd)];
    expect(b).toEqual(a);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe('factory: no run no-such-run-http on this server (check the run id, --address and --namespace)\n');
  });

  it('loads no Temporal SDK module on the HTTP path (a spawned `factory status`)', async () => {
    const ws = workspace(gatedPipeline(uniqueId('http-light')));
    const handle = await env.start(ws);
    await awaitGate(handle, 'review');
    const dir = mkdtempSync(join(tmpdir(), 'factory-status-trace-'));
    const trace = join(dir, 'loaded.txt');
    writeFileSync(join(dir, 'trace.js'), `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(trace)}, Object.keys(require.cache).join('\\n')));\n`);
    const spawned = (extra: Record<string, string>) =>
      new Promise<{ code: number; stdout: string }>((done) => {
        const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `--require ${join(dir, 'trace.js')}`, TEMPORAL_ADDRESS: testTemporalEnv().address, TEMPORAL_NAMESPACE: ns() };
        delete childEnv.TEMPORAL_HTTP_ADDRESS;
        Object.assign(childEnv, extra);
        execFile(process.execPath, [BIN, 'status', handle.workflowId], { cwd: ws.dir, env: childEnv, encoding: 'utf8' }, (err, stdout) => done({ code: err ? Number(err.code ?? 1) : 0, stdout }));
      });
    const light = await spawned({ TEMPORAL_HTTP_ADDRESS: http() });
    expect(light.stdout).toContain(`run ${handle.workflowId}: awaiting_human`);
    const loaded = readFileSync(trace, 'utf8');
    expect(loaded).toContain('status.js');
    expect(loaded).not.toMatch(/@temporalio|@grpc|protobufjs/);
    // the same command without the HTTP address loads the SDK (the trace sees it)
    await spawned({});
    expect(readFileSync(trace, 'utf8')).toMatch(/@temporalio\/client/);
    await handle.signal(approveSignal, { by: 'alice' });
    await handle.result();
  });

  it('finds the HTTP API in the local server\'s record (.factory/server.json), with no address given', async () => {
    const ws = workspace(gatedPipeline(uniqueId('http-record')));
    const handle = await env.start(ws);
    await awaitGate(handle, 'review');
    const a = await grpc(['status', handle.workflowId], ws.dir);
    mkdirSync(join(ws.dir, '.factory'), { recursive: true });
    // the record names a live process (this one) as the server, so readServerRecord keeps it
    const record = { address: testTemporalEnv().address, httpAddress: http(), namespace: ns(), pid: process.pid, pidStart: processStartTime(process.pid) };
    writeFileSync(join(ws.dir, '.factory', 'server.json'), JSON.stringify(record));
    const recorded = await runCli(['status', handle.workflowId], ws.dir);
    expect(recorded).toEqual(a);
    // a wrong HTTP address in the record shows: the HTTP path was taken
    writeFileSync(join(ws.dir, '.factory', 'server.json'), JSON.stringify({ ...record, httpAddress: '127.0.0.1:1' }));
    const wrong = await runCli(['status', handle.workflowId], ws.dir);
    expect(wrong.stderr).toMatch(/^factory: the HTTP API at http:\/\/127\.0\.0\.1:1 did not answer \(.*ECONNREFUSED.*\); reading over gRPC\n$/);
    expect(wrong.stdout).toBe(a.stdout);
    await handle.signal(approveSignal, { by: 'alice' });
    await handle.result();
  });

  it('falls back to gRPC, and says so, when the HTTP address answers 404 (no HTTP API there)', async () => {
    const ws = workspace(gatedPipeline(uniqueId('http-404')));
    const handle = await env.start(ws);
    await awaitGate(handle, 'review');
    const server: Server = createServer((_req, res) => void res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const r = await overHttp(['status', handle.workflowId], ws.dir, { TEMPORAL_HTTP_ADDRESS: `127.0.0.1:${port}` });
      expect(r.stderr).toBe(`factory: the HTTP API at http://127.0.0.1:${port} did not answer (http://127.0.0.1:${port} answered HTTP 404 without JSON); reading over gRPC\n`);
      expect(r.stdout).toBe((await grpc(['status', handle.workflowId], ws.dir)).stdout);
    } finally {
      server.close();
      await handle.signal(approveSignal, { by: 'alice' });
      await handle.result();
    }
  });

  it('speaks TLS with the configured CA, client pair and server name (a TLS front to the real HTTP API), and never plain text then', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'factory-status-tls-'));
    const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca']);
    for (const [name, cn] of [['server', 'temporal.test'], ['client', 'factory-cli']] as const) {
      ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
      writeFileSync(join(dir, `${name}.ext`), name === 'server' ? 'subjectAltName=DNS:temporal.test\n' : 'extendedKeyUsage=clientAuth\n');
      ssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`]);
    }
    const [host, port] = http().split(':') as [string, string];
    const clients: string[] = [];
    // a TLS-terminating front that requires a client certificate signed by the CA, piping to the real HTTP API
    const front = createTlsServer(
      { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')), ca: readFileSync(join(dir, 'ca.pem')), requestCert: true, rejectUnauthorized: true },
      (socket) => {
        clients.push(String(socket.getPeerCertificate().subject?.CN));
        const upstream = tcpConnect({ host, port: Number(port) });
        socket.pipe(upstream).pipe(socket);
        socket.on('error', () => upstream.destroy());
        upstream.on('error', () => socket.destroy());
      },
    );
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    const ws = workspace(gatedPipeline(uniqueId('http-tls')));
    const handle = await env.start(ws);
    try {
      await awaitGate(handle, 'review');
      const tlsPort = (front.address() as AddressInfo).port;
      const tlsEnv = { TEMPORAL_HTTP_ADDRESS: `127.0.0.1:${tlsPort}`, TEMPORAL_TLS_CA: join(dir, 'ca.pem'), TEMPORAL_TLS_CERT: join(dir, 'client.pem'), TEMPORAL_TLS_KEY: join(dir, 'client.key'), TEMPORAL_TLS_SERVER_NAME: 'temporal.test' };
      // gRPC of the test server has no TLS: the HTTP path must answer alone (a fallback would fail to connect)
      const r = await overHttp(['status', handle.workflowId], ws.dir, tlsEnv);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^run ${handle.workflowId}: awaiting_human\\n`));
      expect(clients).toContain('factory-cli');
      // without the client pair the front refuses the handshake: the HTTP path gives up and says so
      const { TEMPORAL_TLS_CERT: _c, TEMPORAL_TLS_KEY: _k, ...noPair } = tlsEnv;
      const refused = await overHttp(['status', handle.workflowId], ws.dir, noPair);
      expect(refused.stderr).toMatch(/^factory: the HTTP API at https:\/\/127\.0\.0\.1:\d+ did not answer/);
    } finally {
      front.close();
      await handle.signal(approveSignal, { by: 'alice' });
      await handle.result();
    }
  });
});

describe('runFailureOf', () => {
  const payload = (v: unknown) => ({ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from(JSON.stringify(v)).toString('base64') });

  it('reads the domain failure through an activity failure, as core/failures does', () => {
    const details = { domain: 'BOOT_FAILURE', message: 'bad profile', causes: ['a', 'b'], recovery: 'fix it', node: 'n' };
    expect(runFailureOf({ message: 'activity failed', activityFailureInfo: {}, cause: { message: 'BOOT_FAILURE: bad profile', applicationFailureInfo: { type: 'BOOT_FAILURE', details: { payloads: [payload(details)] } } } })).toEqual(details);
  });

  it('makes any other failure an EXEC_FAILURE with its message', () => {
    expect(runFailureOf({ message: 'boom', applicationFailureInfo: { type: 'Error' } })).toMatchObject({ domain: 'EXEC_FAILURE', message: 'boom', causes: ['boom'] });
  });
});
