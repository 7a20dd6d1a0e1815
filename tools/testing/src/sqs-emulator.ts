import type { AddressInfo } from 'node:net';
import { buildApp } from 'fauxqs';

export interface SqsEmulator {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * fauxqs speaks the SQS and S3 wire protocols; the real AWS SDK talks to it over HTTP.
 * `buildApp().listen` binds loopback only (`startFauxqs` would bind every interface).
 */
export async function startSqsEmulator(port = 0): Promise<SqsEmulator> {
  const app = buildApp({ logger: false });
  await app.listen({ port, host: '127.0.0.1' });
  const address = app.server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${address.port}`, stop: () => app.close() };
}
