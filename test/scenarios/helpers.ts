// Helpers for scenario-side tests: suites written to a temp scenarios root (as files or published to
// its registry), candidates on disk, and a local HTTP service that plays the candidate.
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import type { Candidate } from '../../core/evaluation';
import { openScenarioRegistry } from '../../definitions/registry';

/** A scenario as written in YAML (loose: tests also write invalid ones on purpose). */
export type ScenarioDoc = Record<string, unknown>;

/** A ScenarioSuite document's YAML. */
export function suiteYaml(id: string, scenarios: ScenarioDoc[], extra: Record<string, unknown> = {}): string {
  return stringify({ kind: 'ScenarioSuite', id, version: '1.0.0', pipeline_id: 'demo', pipeline_major: 1, ...extra, scenarios });
}

/** A temp scenarios root (the scenario registry folder). */
export class ScenarioRoot {
  readonly dir = mkdtempSync(join(tmpdir(), 'factory-scenarios-'));
  private n = 0;

  /** Writes a suite file; returns its absolute path and sha256. */
  write(id: string, scenarios: ScenarioDoc[], extra: Record<string, unknown> = {}): { file: string; digest: string } {
    const text = suiteYaml(id, scenarios, extra);
    const file = join(this.dir, `${id}-${++this.n}.yaml`);
    writeFileSync(file, text);
    return { file, digest: createHash('sha256').update(text).digest('hex') };
  }

  /** Publishes a suite into the root's registry; returns its ref, file and digest. */
  async publish(id: string, scenarios: ScenarioDoc[], extra: Record<string, unknown> = {}): Promise<{ ref: string; file: string; digest: string }> {
    const draft = join(mkdtempSync(join(tmpdir(), 'factory-draft-')), `${id}.yaml`);
    writeFileSync(draft, suiteYaml(id, scenarios, extra));
    const { entry } = await openScenarioRegistry(this.dir).publish(draft);
    return { ref: `${entry.id}@${entry.version}`, file: join(this.dir, entry.path), digest: entry.sha256 };
  }
}

/** A candidate directory with the given files; returns the Candidate (file:// ref) and its path. */
export function candidateDir(files: Record<string, string>, exports: Record<string, unknown> = {}): { candidate: Candidate; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'factory-candidate-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { candidate: { ref: pathToFileURL(dir).href, exports }, dir };
}

/** A running local HTTP service playing the candidate: GET /health → {"status":"ok","items":[1,2]}, GET /boom → 500. */
export async function candidateService(): Promise<{ url: string; server: Server; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', items: [1, 2], meta: { 'build id': 'b7' } }));
    } else if (req.url === '/echo') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => res.writeHead(201).end(`${req.headers['x-token'] ?? ''}:${body}`));
    } else if (req.url === '/boom') {
      res.writeHead(500).end('internal error at 2026-01-01T00:00:00Z');
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, hits, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A 127.0.0.1 port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
