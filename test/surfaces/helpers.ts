// Shared by the operator-surface tests: a gated pipeline, waiting for a gate, the real `temporal`
// CLI as a child process and headless Debian chromium through playwright-core.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { chromium, type Browser } from 'playwright-core';
import type { RunStatusView } from '../../core/run-model';
import { resolveTemporalCli } from '../../infra/temporal-cli';
import { statusQuery } from '../../workflows/messages';
import type { runPipeline } from '../../workflows/run';
import { eventually, pipelineYaml } from '../helpers/runs';
import { testTemporalEnv } from '../helpers/temporal';

/** Where test artifacts (screenshots) go; gitignored, kept by CI. */
export const ARTIFACTS_DIR = resolve(__dirname, '..', '..', 'test-results');

/** A review gate (Approve → ship, Revise → revise → review again), then a real tool stage. */
export function gatedPipeline(id: string): string {
  return pipelineYaml(
    id,
    [
      '{ id: review, type: wait.human, prompt: "Ship it?" }',
      '{ id: ship, type: tool, tool_command: "echo shipped" }',
      '{ id: revise, type: tool, tool_command: "echo revised" }',
    ],
    [
      '{ from: start, to: review }',
      '{ from: review, to: ship, label: "[A] Approve" }',
      '{ from: review, to: revise, label: "[R] Revise" }',
      '{ from: revise, to: review }',
      '{ from: ship, to: exit }',
    ],
  );
}

/** Waits until `gate` is open and the run reports awaiting_human; returns that status. */
export function awaitGate(handle: WorkflowHandle<typeof runPipeline>, gate: string): Promise<RunStatusView> {
  return eventually(async () => {
    const s = await handle.query(statusQuery);
    return s.status === 'awaiting_human' && s.openGates.includes(gate) ? s : undefined;
  }, 30_000);
}

/** What one `temporal` invocation printed and how it exited. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `temporal` binary against the shared test server (`--address`, `--namespace`),
 * with no TEMPORAL_* variables inherited so nothing but the flags picks the server.
 */
export function temporalCli(args: readonly string[], timeoutMs = 30_000): Promise<CliResult> {
  const env = testTemporalEnv();
  const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
  const argv = [...args, '--address', env.address, '--namespace', env.namespace, '--color', 'never'];
  return new Promise((done, fail) => {
    const child = spawn(resolveTemporalCli().path, argv, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** Parses `-o json` output of a command that must have succeeded; the message shows stderr otherwise. */
export function cliJson<T>(r: CliResult): T {
  if (r.code !== 0) throw new Error(`temporal exited ${String(r.code)}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as T;
}

/** Debian's chromium (CI installs it through .ci/run); CHROMIUM_PATH overrides. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`chromium not found at ${path}: install it with \`apt-get install -y chromium\` (Debian) or set CHROMIUM_PATH`);
  }
  return path;
}

/** Launches headless chromium; no browser download, no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** Path of an artifact file, creating test-results/ when needed. */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}

/** A headless Chromium for the file's tests: launched before them, closed after; the getter throws before launch. */
export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('chromium is not launched (useChromium registers beforeAll)');
    return browser;
  };
}

/** The Web UI base URL of the shared server (global-setup starts it with the UI on). */
export function uiUrl(): string {
  const url = testTemporalEnv().uiUrl;
  if (!url) throw new Error('FACTORY_TEST_TEMPORAL_UI is not set: the shared dev server must run with its Web UI');
  return url;
}
