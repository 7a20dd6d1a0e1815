import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface EventQueue {
  name: string;
  url: string;
  /** Where invalid messages go directly, and failing ones via RedrivePolicy. */
  deadLetter: { name: string; url: string };
}

export const deadLetterQueueName = (source: string): string => `${source}-dlq`;

export interface TopologyOptions {
  /** Receives before SQS moves a message that keeps failing to the dead-letter queue. */
  maxReceiveCount?: number;
  /** Seconds a received message stays hidden; must cover one batch's processing. */
  visibilityTimeoutSeconds?: number;
}

/**
 * Creates (idempotently) a source queue and its dead-letter queue with a RedrivePolicy. On AWS
 * this belongs to infrastructure code; the local stack and tests call it directly.
 */
export async function ensureEventQueue(sqs: SQSClient, name: string, options: TopologyOptions = {}): Promise<EventQueue> {
  const dlqName = deadLetterQueueName(name);
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: dlqName, Attributes: { MessageRetentionPeriod: '1209600' } }));
  const dlqUrl = required(dlq.QueueUrl, dlqName);
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
  const dlqArn = required(attributes.Attributes?.QueueArn, `${dlqName} ARN`);
  const source = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 60),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: options.maxReceiveCount ?? 5 }),
      },
    }),
  );
  return { name, url: required(source.QueueUrl, name), deadLetter: { name: dlqName, url: dlqUrl } };
}

/** Looks up existing queues; a missing one fails with the queue's name. */
export async function resolveEventQueue(sqs: SQSClient, name: string): Promise<EventQueue> {
  const lookup = async (queueName: string) => {
    try {
      return required((await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl, queueName);
    } catch (error) {
      throw new Error(`SQS queue "${queueName}" is not reachable: ${(error as Error).message}`, { cause: error });
    }
  };
  const dlqName = deadLetterQueueName(name);
  const [url, dlqUrl] = await Promise.all([lookup(name), lookup(dlqName)]);
  return { name, url, deadLetter: { name: dlqName, url: dlqUrl } };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`SQS returned no ${what}`);
  return value;
}
