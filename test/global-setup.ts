// Jest globalSetup: one real Temporal dev server (Web UI on) for the whole test run; tests find it
// through FACTORY_TEST_TEMPORAL_* (see test/helpers/temporal.ts). Set FACTORY_TEST_TEMPORAL_ADDRESS
// beforehand to run the suite against an existing server instead (nothing is started then).
import { startDevServer, type DevServer } from '../infra/dev-server';
import { DEFAULT_NAMESPACE } from '../core/temporal-names';
import { DEV_SERVER_KEY, TEST_ENV } from './helpers/test-env';

/** Starts the shared dev server before any test file runs. */
export default async function globalSetup(): Promise<void> {
  // tests spawn bin/factory, which runs dist/ and refuses a stale one: bring it up to date (incremental, quick)
  (require('../scripts/build') as { build: (force: boolean) => unknown }).build(false);
  if (process.env[TEST_ENV.address]) {
    process.env[TEST_ENV.namespace] ??= DEFAULT_NAMESPACE;
    return;
  }
  const server: DevServer = await startDevServer({ ui: true, namespace: DEFAULT_NAMESPACE });
  (globalThis as Record<string, unknown>)[DEV_SERVER_KEY] = server;
  process.env[TEST_ENV.address] = server.address;
  process.env[TEST_ENV.namespace] = server.namespace;
  process.env[TEST_ENV.http] = server.httpAddress;
  if (server.uiUrl !== undefined) process.env[TEST_ENV.ui] = server.uiUrl;
  process.stderr.write(
    `\n[global-setup] Temporal dev server ${server.address} (UI ${server.uiUrl ?? 'off'}, pid ${server.pid}) ready in ${server.startupMs} ms\n`,
  );
}
