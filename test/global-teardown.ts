// Jest globalTeardown: stops the dev server started by global-setup (and waits until it is gone).
import type { DevServer } from '../infra/dev-server';
import { DEV_SERVER_KEY } from './helpers/test-env';

/** Stops the shared dev server after all test files ran. */
export default async function globalTeardown(): Promise<void> {
  const store = globalThis as Record<string, unknown>;
  const server = store[DEV_SERVER_KEY] as DevServer | undefined;
  delete store[DEV_SERVER_KEY];
  await server?.stop();
}
