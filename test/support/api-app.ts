/**
 * The API app on a loopback port for tests. Without a Temporal client it gets one whose server
 * is not running (a lazy connection to a closed port): the analytics and identity routes work,
 * case actions meet a Temporal outage, as they would in production.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { identityKeyRing, type IdentityKeyRing } from '../../analytics/identity-vault.js';
import { identityCipher, petitionerKeys } from '../../analytics/import/pseudonym.js';
import { createApp, type AppDependencies } from '../../server/app.js';

export interface RunningApp {
  base: string;
  close(): Promise<void>;
}

// Port 1 (tcpmux) has no listener here; a port found free a moment ago could be taken by a test server since.
export async function temporalDown(): Promise<Client> {
  const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
  return new Client({ connection });
}

/** A key ring of a random secret, as a deployment's would be, kept only for the test's life. */
export function testIdentityKeys(): IdentityKeyRing {
  const keys = petitionerKeys(randomBytes(32));
  return identityKeyRing(keys, [identityCipher('test', randomBytes(32))]);
}

type Optional = 'temporal' | 'taskQueue' | 'jurisdiction' | 'identityKeys';

export async function startApiApp(deps: Omit<AppDependencies, Optional> & Partial<Pick<AppDependencies, Optional>>): Promise<RunningApp> {
  const temporal = deps.temporal ?? (await temporalDown());
  const app = createApp({ taskQueue: 'test', jurisdiction: 'beijing', identityKeys: testIdentityKeys(), ...deps, temporal });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
