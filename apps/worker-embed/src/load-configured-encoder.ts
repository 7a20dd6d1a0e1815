import { S3Client } from '@aws-sdk/client-s3';
import { loadEncoder, type Encoder } from '@coldstart/embeddings';
import type { EmbedConfig } from './config.js';

/** The configured registry encoder, with the ONNX and model-source settings of this process. */
export function loadConfiguredEncoder(config: EmbedConfig): Promise<Encoder> {
  const s3 = config.COLDSTART_MODELS_S3_URL
    ? {
        url: config.COLDSTART_MODELS_S3_URL,
        client: new S3Client({
          region: config.AWS_REGION,
          ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT, forcePathStyle: true } : {}),
        }),
      }
    : undefined;
  return loadEncoder(config.ENCODER, {
    ...(config.COLDSTART_MODELS_DIR ? { modelsDir: config.COLDSTART_MODELS_DIR } : {}),
    ...(s3 ? { s3 } : {}),
    t5: {
      maxTokens: config.EMBED_MAX_TOKENS,
      tokenBudget: config.EMBED_TOKEN_BUDGET,
      graphOptimizationLevel: config.ONNX_GRAPH_OPTIMIZATION,
      // 0 lets onnxruntime choose (one thread per core).
      ...(config.ONNX_INTRA_OP_THREADS > 0 ? { intraOpThreads: config.ONNX_INTRA_OP_THREADS } : {}),
    },
  });
}
