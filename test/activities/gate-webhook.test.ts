// A gate that opens is announced to the profile's webhook (policy.human_gate.webhook), from the activity
// that records the gate, once; a receiver that fails or is not there never changes the run.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GateOpenedNotice } from '../../activities/gate-webhook';
import { profileSchema } from '../../definitions/schemas/profile';
import { approveSignal } from '../../workflows/messages';
import { eventually, testProfileYaml, useRunEnv, workspace } from '../helpers/runs';
import { uniqueId } from '../helpers/temporal';
import { closedPort } from '../scenarios/helpers';
import { awaitGate, gatedPipeline } from '../surfaces/helpers';

const env = useRunEnv();
const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

/** A real HTTP receiver on a free local port: records each request, answers with `status`. */
async function receiver(status: number): Promise<{ url: string; got: { path: string; type: string; body: GateOpenedNotice }[]; server: Server }> {
  const got: { path: string; type: string; body: GateOpenedNotice }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      got.push({ path: req.url ?? '', type: String(req.headers['content-type']), body: JSON.parse(data) as GateOpenedNotice });
      res.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/gate?token=s3cret`, got, server };
}

const withWebhook = (url: string) => testProfileYaml().replace('allow_self_approval: true }', `allow_self_approval: true, webhook: "${url}" }`);

describe('the gate webhook', () => {
  it('POSTs one notice naming the run, the gate and how to answer it when the gate opens', async () => {
    const hook = await receiver(204);
    try {
      const handle = await env.start(workspace(gatedPipeline(uniqueId('hook')), { profile: withWebhook(hook.url) }));
      await awaitGate(handle, 'review');
      await eventually(async () => hook.got.length > 0, 30_000, 100);
      expect(hook.got).toHaveLength(1);
      const [first] = hook.got;
      expect(first?.path).toBe('/hooks/gate?token=s3cret');
      expect(first?.type).toBe('application/json');
      expect(first?.body).toMatchObject({
        type: 'gate.opened',
        runId: handle.workflowId,
        workflowId: handle.workflowId,
        gate: 'review',
        quorum: 1,
        openedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        answer: { approve: `factory approve ${handle.workflowId} --gate review`, signal: { name: 'approve', input: { gate: 'review' } } },
      });
      await handle.signal(approveSignal, { by: 'alice' });
      expect((await handle.result()).outcome).toBe('succeeded');
      expect(hook.got).toHaveLength(1);
    } finally {
      hook.server.close();
    }
  });

  it.each([
    ['answers HTTP 500', async () => (await receiver(500)).url],
    ['is not listening', async () => `http://127.0.0.1:${await closedPort()}/hook`],
  ])('leaves the run unchanged when the receiver %s', async (_name, url) => {
    const handle = await env.start(workspace(gatedPipeline(uniqueId('hook-fail')), { profile: withWebhook(await url()) }));
    await awaitGate(handle, 'review');
    await handle.signal(approveSignal, { by: 'alice' });
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');
    expect(result.failure).toBeUndefined();
  });

  it('accepts only an http(s) URL in the profile', () => {
    const base = { kind: 'FactoryProfile', id: 'p', provider: { kind: 'twin' } };
    expect(profileSchema.safeParse({ ...base, policy: { human_gate: { webhook: 'https://hooks.example.com/x' } } }).success).toBe(true);
    expect(profileSchema.safeParse({ ...base, policy: { human_gate: { webhook: 'file:///etc/passwd' } } }).success).toBe(false);
    expect(profileSchema.safeParse({ ...base, policy: { human_gate: { webhook: 'not a url' } } }).success).toBe(false);
  });
});
