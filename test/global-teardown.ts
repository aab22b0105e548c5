// Placeholder: replaced by the dev-server global teardown (infra helper).
export default async function globalTeardown(): Promise<void> {}
