import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startSqsEmulator } from './sqs-emulator.js';

export interface S3Emulator {
  endpoint: string;
  /** A client for the emulator: path-style addressing, placeholder credentials. */
  client: S3Client;
  /** Destroys the client, then stops the emulator. */
  stop(): Promise<void>;
}

/** fauxqs as an S3 endpoint with `buckets` already created. */
export async function startS3Emulator(buckets: readonly string[]): Promise<S3Emulator> {
  const emulator = await startSqsEmulator();
  const client = new S3Client({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  for (const bucket of buckets) await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint: emulator.endpoint,
    client,
    stop: async () => {
      client.destroy();
      await emulator.stop();
    },
  };
}
