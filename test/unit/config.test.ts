import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';

describe('configuration from the environment', () => {
  it('defaults to the embedded dev server and a DuckDB file under the data directory', () => {
    const config = loadConfig({ XINFANG_DATA_DIR: '/srv/xw' });
    expect(config.port).toBe(3000);
    expect(config.duckdbPath).toBe('/srv/xw/xinfang.duckdb');
    expect(config.temporal.address).toBeNull();
    expect(config.temporal.dev.dbFilename).toBe('/srv/xw/temporal.db');
    expect(config.temporal.tls).toBeUndefined();
  });

  it('points at a cluster with mTLS or an API key', () => {
    const mtls = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      TEMPORAL_NAMESPACE: 'xinfang-prod',
      TEMPORAL_TLS_CERT: '/etc/c.pem',
      TEMPORAL_TLS_KEY: '/etc/k.pem',
    });
    expect(mtls.temporal).toMatchObject({
      address: 'temporal.example:7233',
      namespace: 'xinfang-prod',
      tls: { certPath: '/etc/c.pem', keyPath: '/etc/k.pem' },
    });
    expect(loadConfig({ TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_API_KEY: 'k' }).temporal).toMatchObject({ apiKey: 'k', tls: {} });
  });

  it('names the setting that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ TEMPORAL_TLS_CERT: '/c.pem' })).toThrow(/TEMPORAL_TLS_KEY/);
  });
});
