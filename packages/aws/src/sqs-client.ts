import { SQSClient } from '@aws-sdk/client-sqs';

export interface SqsClientOptions {
  region: string;
  /** A local emulator's URL; unset on AWS. */
  endpoint?: string | undefined;
}

/**
 * Credentials come from the AWS default chain (env, web identity/IRSA, instance role). Only
 * against a local emulator, with no credentials in the environment, placeholder keys are used,
 * so the chain does not wait on instance metadata that does not exist there.
 */
export function createSqsClient(options: SqsClientOptions): SQSClient {
  const local = options.endpoint !== undefined && !process.env.AWS_ACCESS_KEY_ID;
  return new SQSClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}
