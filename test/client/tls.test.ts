import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tlsConfig } from '../../client/temporal';

const dir = mkdtempSync(join(tmpdir(), 'factory-tls-'));
for (const f of ['ca.pem', 'client.pem', 'client.key', 'env.pem', 'env.key']) writeFileSync(join(dir, f), `${f} bytes`);

describe('tlsConfig', () => {
  it('returns no TLS when neither the profile nor the environment asks for it', () => {
    expect(tlsConfig({}, dir)).toBeUndefined();
  });

  it('reads the profile files relative to the working directory when the profile sets mTLS', () => {
    const tls = tlsConfig({}, dir, { server_name: 'temporal.internal', server_root_ca_cert: 'ca.pem', client_cert: 'client.pem', client_key: 'client.key' });
    expect(tls?.serverNameOverride).toBe('temporal.internal');
    expect(tls?.serverRootCACertificate?.toString()).toBe('ca.pem bytes');
    expect(tls?.clientCertPair?.crt.toString()).toBe('client.pem bytes');
    expect(tls?.clientCertPair?.key.toString()).toBe('client.key bytes');
  });

  it('lets the temporal CLI environment variables override the profile when both are set', () => {
    const tls = tlsConfig({ TEMPORAL_TLS_CERT: 'env.pem', TEMPORAL_TLS_KEY: 'env.key' }, dir, { client_cert: 'client.pem', client_key: 'client.key' });
    expect(tls?.clientCertPair?.crt.toString()).toBe('env.pem bytes');
  });

  it('turns on server-verified TLS without client certificates when TEMPORAL_TLS=true', () => {
    expect(tlsConfig({ TEMPORAL_TLS: 'true' }, dir)).toEqual({});
  });

  it('refuses a client certificate without its key', () => {
    expect(() => tlsConfig({ TEMPORAL_TLS_CERT: 'env.pem' }, dir)).toThrow(/needs its key/);
  });
});
