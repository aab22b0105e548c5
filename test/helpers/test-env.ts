// Names of the environment variables through which global-setup hands the dev server to tests.

/** FACTORY_TEST_TEMPORAL_ADDRESS (host:port), _NAMESPACE, _UI (Web UI base URL, unset when headless). */
export const TEST_ENV = {
  address: 'FACTORY_TEST_TEMPORAL_ADDRESS',
  namespace: 'FACTORY_TEST_TEMPORAL_NAMESPACE',
  ui: 'FACTORY_TEST_TEMPORAL_UI',
  /** The frontend's HTTP API, host:port (unset when the suite runs against an existing server). */
  http: 'FACTORY_TEST_TEMPORAL_HTTP',
} as const;

/** globalThis key holding the DevServer between global-setup and global-teardown (same process). */
export const DEV_SERVER_KEY = '__factoryTestDevServer';
