// Placeholder: replaced by the dev-server global setup (infra helper).
export default async function globalSetup(): Promise<void> {}
