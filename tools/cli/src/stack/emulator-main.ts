import { buildApp } from 'fauxqs';

/**
 * The local SQS/S3 emulator process of `coldstart stack`: fauxqs on loopback only (its own
 * CLI binds every interface). State is in memory; restarting it empties the queues.
 */
async function main(): Promise<void> {
  const port = Number(process.env.EMULATOR_PORT ?? 4566);
  const app = buildApp({ logger: false });
  await app.listen({ port, host: '127.0.0.1' });
  console.log(`SQS/S3 emulator listening on http://127.0.0.1:${port}`);
  const stop = () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
